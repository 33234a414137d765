import type { TimelineEvent } from "../../timeline/types.ts";
import { ParamReader } from "./params.ts";
import { percent, ratePerInterval, seconds } from "./rate-per-interval.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/** Params of `recovery_time`. */
export interface RecoveryTimeParams {
  /** The error rate (fraction) an interval must stay under to count as recovered. Default 0.01 (1%). */
  errorRateLimit?: number;
  /** How long, ms (or a duration such as `5s`), the error rate must stay under the limit. Default 5000. */
  holdMs?: number | string;
  /** The rate metric whose passes are errors. Default `http_req_failed`. */
  metric?: string;
  /** Measure from this fault's `fault.inject`. Default: the first fault injected (in the phase, if given). */
  faultId?: string;
}

/**
 * `recovery_time` (ms): from the first `fault.inject` until the error rate, per timeline interval,
 * stays under `errorRateLimit` for `holdMs`. Recovery is the start of the first interval of that
 * streak (0 when the fault never raised the error rate); resolution is the timeline interval.
 * An interval with no samples breaks the streak: silence is not health.
 * Never recovering before the end is measured, with `atLeast` (the threshold then fails), not excused.
 * Not measured when no fault was injected, the metric was never recorded, or no sample follows the fault.
 */
export function recoveryTime(params?: Readonly<Record<string, unknown>>): Check {
  const p = new ParamReader("recovery_time", params);
  const limit = p.number("errorRateLimit", 0.01, 0, 1, true);
  const holdMs = p.durationMs("holdMs", 5000);
  const metric = p.string("metric", "http_req_failed");
  const faultId = p.string("faultId");
  p.done();

  return {
    name: "recovery_time",
    measure(ctx: CheckContext): CheckResult {
      const { timeline, endMs } = ctx;
      const inject = firstInject(timeline.events, faultId, ctx);
      if (!inject) {
        return { measured: false, reason: faultId ? `fault ${faultId} was never injected` : "no fault was injected" };
      }
      const info = timeline.metrics.get(metric);
      if (!info) return { measured: false, reason: `metric ${metric} was never recorded` };
      if (info.type !== "rate") return { measured: false, reason: `${metric} is a ${info.type}, not a rate metric` };

      const interval = timeline.intervalMs;
      const perInterval = ratePerInterval(timeline, metric, ctx.tags);
      const first = Math.floor(inject.atMs / interval);
      const last = Math.ceil(endMs / interval);
      let sampled = false;
      let peak = { rate: 0, atMs: inject.atMs };
      let streak: number | undefined;
      for (let k = first; k < last; k++) {
        const b = perInterval.get(k);
        const rate = b && b.total > 0 ? b.passes / b.total : undefined;
        if (rate !== undefined) {
          sampled = true;
          if (rate > peak.rate) peak = { rate, atMs: k * interval };
        }
        if (rate === undefined || rate >= limit) {
          streak = undefined;
          continue;
        }
        streak ??= k;
        const heldMs = Math.min((k + 1) * interval, endMs) - streak * interval;
        if (heldMs >= holdMs) {
          const recoveredAtMs = Math.max(streak * interval, inject.atMs);
          const value = recoveredAtMs - inject.atMs;
          const impact =
            peak.rate >= limit
              ? `peak ${percent(peak.rate)} at ${seconds(peak.atMs)}`
              : "the error rate never reached it";
          return {
            measured: true,
            value,
            unit: "ms",
            detail:
              `fault ${inject.name} at ${seconds(inject.atMs)}; error rate under ${percent(limit)} from ` +
              `${seconds(recoveredAtMs)}, held ${seconds(holdMs)}; ${impact} (resolution ${interval} ms)`,
            data: { faultId: inject.name, injectAtMs: inject.atMs, recoveredAtMs, peakErrorRate: peak.rate },
          };
        }
      }
      if (!sampled) {
        return {
          measured: false,
          reason: `no samples of ${metric} after fault ${inject.name} at ${seconds(inject.atMs)}`,
        };
      }
      const value = Math.max(0, endMs - inject.atMs);
      return {
        measured: true,
        value,
        unit: "ms",
        atLeast: true,
        detail:
          `never recovered: after fault ${inject.name} at ${seconds(inject.atMs)} the error rate did not stay under ` +
          `${percent(limit)} for ${seconds(holdMs)} before the end (${seconds(endMs)}); peak ${percent(peak.rate)}`,
        data: { faultId: inject.name, injectAtMs: inject.atMs, peakErrorRate: peak.rate },
      };
    },
  };
}

/**
 * The earliest `fault.inject` event of `faultId` (any fault when undefined) up to the run's end, within
 * the threshold's windows when it has some.
 */
export function firstInject(
  events: readonly TimelineEvent[],
  faultId: string | undefined,
  ctx: CheckContext,
): TimelineEvent | undefined {
  let best: TimelineEvent | undefined;
  for (const e of events) {
    if (e.kind !== "fault.inject") continue;
    if (faultId !== undefined && e.name !== faultId) continue;
    if (e.atMs > ctx.endMs) continue;
    if (ctx.windows && !ctx.windows.some((w) => e.atMs >= w.fromMs && e.atMs < w.toMs)) continue;
    if (!best || e.atMs < best.atMs) best = e;
  }
  return best;
}
