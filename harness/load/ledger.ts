import type { Outcome } from "./http/client.ts";

/** One write the verifier should know about. */
export interface WriteEntry {
  /** The record id from the answer (acknowledged writes). */
  id?: string;
  /** The client-side key (template `write.key`), when there is one. */
  key?: string;
  endpoint: string;
  /** Run-clock ms the write was sent. */
  atMs: number;
  /** Indeterminate writes: why the outcome is unknown (timeout, reset, aborted, http_5xx, ...). */
  reason?: string;
}

/** What the ledger holds at the end of a run. */
export interface WritesSnapshot {
  /** Writes the target acknowledged (2xx) with their ids: each must be readable afterwards. */
  acknowledged: WriteEntry[];
  /** Writes that may or may not have happened (no answer, timeout, 5xx): neither lost nor safe. */
  indeterminate: WriteEntry[];
  /** Writes the target definitely refused (4xx, connection refused). */
  failed: number;
  /** Acknowledged answers with no id field: the verifier cannot check them. */
  acknowledgedWithoutId: number;
  /** Entries not kept because the ledger was full. */
  overflow: number;
}

/**
 * The writes ledger (Jepsen's vocabulary: ok, fail, indeterminate). A write is lost only if it was
 * acknowledged, so the verifier reads back `acknowledged` ids; `indeterminate` ones are reported
 * apart. Bounded: at most `maxEntries` entries are kept.
 */
export class WritesLedger {
  readonly #acknowledged: WriteEntry[] = [];
  readonly #indeterminate: WriteEntry[] = [];
  #failed = 0;
  #withoutId = 0;
  #overflow = 0;

  /** @param maxEntries entries kept across both lists. Default 1,000,000. */
  constructor(readonly maxEntries = 1_000_000) {}

  /** Sort a completed write into its list. */
  record(o: Outcome): void {
    const write = o.template.write;
    if (!write) return;
    if (o.status >= 200 && o.status < 300) {
      const id = extractId(o.body, write.idField);
      if (id === undefined && o.key === undefined) {
        this.#withoutId++;
        return;
      }
      this.#push(this.#acknowledged, {
        ...(id === undefined ? {} : { id }),
        ...keyOf(o),
        endpoint: o.template.endpoint,
        atMs: o.startMs,
      });
    } else if ((o.status >= 400 && o.status < 500) || o.error === "refused") {
      this.#failed++;
    } else {
      this.#push(this.#indeterminate, {
        ...keyOf(o),
        endpoint: o.template.endpoint,
        atMs: o.startMs,
        reason: o.error ?? `status_${o.status}`,
      });
    }
  }

  #push(list: WriteEntry[], entry: WriteEntry): void {
    if (this.#acknowledged.length + this.#indeterminate.length >= this.maxEntries) this.#overflow++;
    else list.push(entry);
  }

  snapshot(): WritesSnapshot {
    return {
      acknowledged: [...this.#acknowledged],
      indeterminate: [...this.#indeterminate],
      failed: this.#failed,
      acknowledgedWithoutId: this.#withoutId,
      overflow: this.#overflow,
    };
  }
}

function keyOf(o: Outcome): { key?: string } {
  return o.key === undefined ? {} : { key: o.key };
}

/** The id field of a JSON answer (dotted paths such as `data.id` allowed). */
function extractId(body: string | undefined, field: string): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const part of field.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
