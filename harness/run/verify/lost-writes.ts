import { setMaxListeners } from "node:events";
import { Agent, request } from "undici";
import type { WritesSnapshot } from "../../load/ledger.ts";
import type { Timeline } from "../../timeline/index.ts";

export interface LostWritesOptions {
  /** Base URL the reads go to (the load's target). */
  baseUrl: string;
  /** The read path with `{id}`: `/orders/{id}`. */
  readPath: string;
  /** Reads in flight at once. Default 16. */
  concurrency?: number;
  /** Retries of a read that failed other than by 404. Default 3. */
  retries?: number;
  /** Per-read timeout, ms. Default 3000. */
  timeoutMs?: number;
  /** The whole verification gives up after this long, ms (remaining ids count as unverified). Default 60000. */
  budgetMs?: number;
  signal?: AbortSignal;
}

/** What the read-back found (Jepsen's counting: only an acknowledged write can be lost). */
export interface LostWritesResult {
  acknowledged: number;
  /** Acknowledged, then answered 404: lost. */
  lost: number;
  /** Acknowledged, but could not be read back either way (errors, budget): not proven lost or safe. */
  unverified: number;
  /** Writes with no answer from the target during the run: neither lost nor safe. */
  indeterminate: number;
  /** The first 20 lost ids, for the report. */
  lostIds: string[];
  durationMs: number;
}

/**
 * Read back every acknowledged write through the target. A 404 is a lost write; any other failure
 * is retried, then counted as unverified (never as safe). Records a `verify` / `lost_writes` event
 * and the gauges `lost_writes` and `writes_unverified`.
 */
export async function verifyLostWrites(
  ledger: WritesSnapshot,
  timeline: Timeline,
  options: LostWritesOptions,
): Promise<LostWritesResult> {
  const started = Date.now();
  const concurrency = options.concurrency ?? 16;
  const retries = options.retries ?? 3;
  const timeoutMs = options.timeoutMs ?? 3000;
  const budgetMs = options.budgetMs ?? 60_000;
  const ids = ledger.acknowledged.map((w) => w.id).filter((id): id is string => id !== undefined);
  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  // One local signal for all reads: each in-flight read listens to it.
  const local = new AbortController();
  setMaxListeners(concurrency + 8, local.signal);
  const onAbort = (): void => local.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const lostIds: string[] = [];
  let lost = 0;
  let unverified = 0;
  let next = 0;

  const readOne = async (id: string): Promise<"ok" | "lost" | "unverified"> => {
    const url = new URL(options.readPath.replace("{id}", encodeURIComponent(id)), options.baseUrl);
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (options.signal?.aborted || Date.now() - started > budgetMs) return "unverified";
      try {
        const res = await request(url, {
          dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: local.signal,
        });
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) return "ok";
        if (res.statusCode === 404) return "lost";
      } catch {
        // A failed read proves nothing: retry, then count it as unverified.
      }
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
    return "unverified";
  };

  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const outcome = await readOne(id);
      if (outcome === "lost") {
        lost++;
        if (lostIds.length < 20) lostIds.push(id);
      } else if (outcome === "unverified") unverified++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, ids.length)) }, worker));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await dispatcher.close();
  }

  const result: LostWritesResult = {
    acknowledged: ledger.acknowledged.length,
    lost,
    unverified: unverified + ledger.acknowledgedWithoutId,
    indeterminate: ledger.indeterminate.length,
    lostIds,
    durationMs: Date.now() - started,
  };
  const at = timeline.clock.nowMs();
  timeline.event("verify", "lost_writes", { ...result }, at);
  timeline.series("lost_writes", "gauge").gauge(lost, at);
  timeline.series("writes_unverified", "gauge").gauge(result.unverified, at);
  return result;
}
