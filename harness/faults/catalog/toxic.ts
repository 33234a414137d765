import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { type ToxicSpec, toxiproxyApi } from "../toxiproxy-api.ts";

/** Options every toxic takes. */
export interface ToxicOptions {
  /** The Toxiproxy proxy (a named link of the topology, e.g. `db_read`). */
  link: string;
  /** `downstream` (server -> client, default) or `upstream` (client -> server). */
  stream?: "upstream" | "downstream";
  /** Fraction of connections affected, 0..1. Default 1. */
  toxicity?: number;
  /** Fault id; default `<kind>-<link>`. */
  id?: string;
}

export interface LatencyOptions extends ToxicOptions {
  /** Added delay per chunk of data, ms. */
  latencyMs: number;
  /** ± random variation of the delay, ms. Default 0. */
  jitterMs?: number;
}
export interface BandwidthOptions extends ToxicOptions {
  /** Throughput cap, KB/s. */
  rateKBps: number;
}
export interface SlowCloseOptions extends ToxicOptions {
  /** Delay before the socket closes, ms. */
  delayMs: number;
}
export interface TimeoutOptions extends ToxicOptions {
  /** No data passes; the connection closes after this long, ms. 0 = held open until reverted. */
  timeoutMs: number;
}
export interface ResetPeerOptions extends ToxicOptions {
  /** Reset (TCP RST) the connection after this long, ms. Default 0 (at once). */
  timeoutMs?: number;
}
export interface SlicerOptions extends ToxicOptions {
  /** Average size of a slice, bytes. */
  averageSizeBytes: number;
  /** ± variation of the slice size, bytes (below averageSizeBytes). Default 0. */
  sizeVariationBytes?: number;
  /** Delay between slices, µs. Default 0. */
  delayUs?: number;
}
export interface LimitDataOptions extends ToxicOptions {
  /** Bytes let through before the connection is closed. */
  bytes: number;
}

type ToxicType = ToxicSpec["type"];

/**
 * A Toxiproxy toxic on a link while the fault lasts: added on inject, removed on revert.
 * The toxic is named `harness_<fault id>` on the server; a leftover of that name is replaced.
 */
export class ToxicFault extends BaseFault {
  readonly kind: ToxicType;
  readonly target: string;
  readonly options: ToxicOptions;
  /** Our option names (with units) mapped to Toxiproxy attribute names and values. */
  readonly #attributes: ReadonlyArray<{ option: string; attribute: string; value: unknown; min: number }>;

  constructor(
    kind: ToxicType,
    options: ToxicOptions,
    attributes: ReadonlyArray<{ option: string; attribute: string; value: unknown; min: number }>,
  ) {
    super(options.id);
    this.kind = kind;
    this.target = options.link;
    this.options = options;
    this.#attributes = attributes;
  }

  get stream(): "upstream" | "downstream" {
    return this.options.stream ?? "downstream";
  }
  get toxicity(): number {
    return this.options.toxicity ?? 1;
  }
  /** The toxic's name on the Toxiproxy server. */
  get toxicName(): string {
    return `harness_${this.label}`;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const link = checks.name(this.options.link);
    if (link) problem("link", link);
    if (this.stream !== "upstream" && this.stream !== "downstream") problem("stream", "must be upstream or downstream");
    const tox = checks.number(this.toxicity, 0, 1);
    if (tox) problem("toxicity", tox);
    for (const a of this.#attributes) {
      const bad = checks.number(a.value, a.min);
      if (bad) problem(a.option, bad);
    }
    if (this.kind === "slicer") {
      const avg = this.#attributes.find((a) => a.attribute === "average_size")?.value as number;
      const variation = this.#attributes.find((a) => a.attribute === "size_variation")?.value as number;
      if (variation >= avg && avg > 0) problem("sizeVariationBytes", "must be smaller than averageSizeBytes");
    }
  }

  describe(): string {
    const attrs = this.#attributes.map((a) => `${a.option}=${String(a.value)}`).join(" ");
    return `${this.kind} toxic on link ${this.target}: ${attrs} (${this.stream}, toxicity ${this.toxicity})`;
  }

  params(): Record<string, unknown> {
    const out: Record<string, unknown> = { link: this.target, stream: this.stream, toxicity: this.toxicity };
    for (const a of this.#attributes) out[a.option] = a.value;
    return out;
  }

  /** The request body sent to Toxiproxy. */
  spec(): ToxicSpec {
    return {
      name: this.toxicName,
      type: this.kind,
      stream: this.stream,
      toxicity: this.toxicity,
      attributes: Object.fromEntries(this.#attributes.map((a) => [a.attribute, a.value as number])),
    };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const api = toxiproxyApi(ctx.toxiproxyUrl);
    await api.addToxic(this.target, this.spec());
    return {
      data: { toxic: this.toxicName },
      heal: async () => {
        await api.removeToxic(this.target, this.toxicName);
      },
    };
  }
}

const attr = (option: string, attribute: string, value: unknown, min = 0) => ({ option, attribute, value, min });

/** Delay data on a link: `latencyMs` ± `jitterMs`. */
export function latency(o: LatencyOptions): ToxicFault {
  return new ToxicFault("latency", o, [
    attr("latencyMs", "latency", o.latencyMs),
    attr("jitterMs", "jitter", o.jitterMs ?? 0),
  ]);
}
/** Cap a link's throughput at `rateKBps`. */
export function bandwidth(o: BandwidthOptions): ToxicFault {
  return new ToxicFault("bandwidth", o, [attr("rateKBps", "rate", o.rateKBps)]);
}
/** Hold each socket open `delayMs` after the peer closed it. */
export function slowClose(o: SlowCloseOptions): ToxicFault {
  return new ToxicFault("slow_close", o, [attr("delayMs", "delay", o.delayMs)]);
}
/** Stop all data; close after `timeoutMs` (0: hold until reverted). */
export function timeout(o: TimeoutOptions): ToxicFault {
  return new ToxicFault("timeout", o, [attr("timeoutMs", "timeout", o.timeoutMs)]);
}
/** Reset connections (TCP RST) after `timeoutMs` (default 0). */
export function resetPeer(o: ResetPeerOptions): ToxicFault {
  return new ToxicFault("reset_peer", o, [attr("timeoutMs", "timeout", o.timeoutMs ?? 0)]);
}
/** Slice data into `averageSizeBytes` ± `sizeVariationBytes` chunks, `delayUs` apart. */
export function slicer(o: SlicerOptions): ToxicFault {
  return new ToxicFault("slicer", o, [
    attr("averageSizeBytes", "average_size", o.averageSizeBytes, 1),
    attr("sizeVariationBytes", "size_variation", o.sizeVariationBytes ?? 0),
    attr("delayUs", "delay", o.delayUs ?? 0),
  ]);
}
/** Close each connection once `bytes` have passed. */
export function limitData(o: LimitDataOptions): ToxicFault {
  return new ToxicFault("limit_data", o, [attr("bytes", "bytes", o.bytes)]);
}
