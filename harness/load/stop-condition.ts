import type { IntervalPoint } from "../timeline/index.ts";

/**
 * When a run stops by itself before its planned end (stress: "ramp until an SLO breaks").
 * Judged per timeline interval on the request metrics; every given limit counts (any breach).
 */
export interface StopCondition {
  /** Stop when an interval's http_req_duration p99 exceeds this many ms. */
  p99AboveMs?: number;
  /** Stop when an interval's http_req_failed rate exceeds this fraction (0..1). */
  errorRateAbove?: number;
  /** ...for this many consecutive intervals. Default 2. */
  forIntervals?: number;
}

/** Where the target broke (stress). */
export interface BreakingPoint {
  /** Offered rate (requests/s, open model) or VUs (closed model) when the first breaching interval started. */
  target: number;
  /** What `target` counts. */
  unit: "requests/s" | "vus";
  /** Requests per second the target actually answered in that interval. */
  achievedPerS: number;
  /** Run-clock ms of the first breaching interval. */
  atMs: number;
  /** The breach, e.g. `p99 812 ms > 500 ms`. */
  reason: string;
}

export function validateStopCondition(c: unknown): string[] {
  if (c === undefined) return [];
  if (typeof c !== "object" || c === null) return ["stopWhen must be an object"];
  const x = c as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(x)) {
    if (!["p99AboveMs", "errorRateAbove", "forIntervals"].includes(k)) out.push(`stopWhen.${k} is not an option`);
  }
  if (x.p99AboveMs !== undefined && !(typeof x.p99AboveMs === "number" && x.p99AboveMs > 0)) {
    out.push(`stopWhen.p99AboveMs must be a number > 0, got ${JSON.stringify(x.p99AboveMs)}`);
  }
  if (
    x.errorRateAbove !== undefined &&
    !(typeof x.errorRateAbove === "number" && x.errorRateAbove >= 0 && x.errorRateAbove < 1)
  ) {
    out.push(`stopWhen.errorRateAbove must be 0..1, got ${JSON.stringify(x.errorRateAbove)}`);
  }
  if (x.forIntervals !== undefined && !(Number.isInteger(x.forIntervals) && (x.forIntervals as number) >= 1)) {
    out.push(`stopWhen.forIntervals must be an integer >= 1, got ${JSON.stringify(x.forIntervals)}`);
  }
  if (x.p99AboveMs === undefined && x.errorRateAbove === undefined)
    out.push("stopWhen needs p99AboveMs or errorRateAbove");
  return out;
}

/** Tracks consecutive breaching intervals; pure apart from its own counter. */
export class StopJudge {
  #streak = 0;
  #first: { t: number; reason: string } | undefined;
  constructor(readonly condition: StopCondition) {}

  /** Feed one finished interval's latency and failure read-outs; returns the first breach when the streak is long enough. */
  observe(
    t: number,
    latency: IntervalPoint | undefined,
    failed: IntervalPoint | undefined,
  ): { t: number; reason: string } | undefined {
    const c = this.condition;
    let reason: string | undefined;
    if (c.p99AboveMs !== undefined && latency?.p99 !== undefined && latency.p99 > c.p99AboveMs) {
      reason = `p99 ${Math.round(latency.p99)} ms > ${c.p99AboveMs} ms`;
    } else if (c.errorRateAbove !== undefined && failed?.rate !== undefined && failed.rate > c.errorRateAbove) {
      reason = `error rate ${(failed.rate * 100).toFixed(2)}% > ${(c.errorRateAbove * 100).toFixed(2)}%`;
    }
    if (reason === undefined) {
      this.#streak = 0;
      this.#first = undefined;
      return undefined;
    }
    if (this.#streak === 0) this.#first = { t, reason };
    this.#streak++;
    return this.#streak >= (c.forIntervals ?? 2) ? this.#first : undefined;
  }
}
