import * as hdr from "hdr-histogram-js";
import { type Histogram, newHistogram, percentile } from "../../timeline/index.ts";
import type { RateBucketJSON, Tags, TrendBucketJSON } from "../../timeline/types.ts";
import { type BreakerWatchOptions, watchBreaker } from "./breaker-open-time.ts";
import { ParamReader } from "./params.ts";
import { seconds } from "./rate-per-interval.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/** Params of `fail_fast_p99`. */
export interface FailFastP99Params {
  /** The `dependency` label of the breaker. Default: the faulted link (the inject's `link`, else its `target`). */
  dependency?: string;
  /** The scraped breaker-state gauge. Default `app_circuit_breaker_state`. */
  stateMetric?: string;
  /** The scraped transitions counter. Default `app_circuit_breaker_transitions_total`. */
  transitionsMetric?: string;
  /** Measure this fault. Default: the first fault injected (in the phase, if given). */
  faultId?: string;
  /**
   * When no breaker was ever seen open: count the failures sent from this long after the inject,
   * ms (or `2s`): the time a breaker had to open. Default 2000.
   */
  graceMs?: number | string;
}

/**
 * `fail_fast_p99` (ms): the 99th percentile latency of the requests that failed while the
 * faulted dependency's breaker was open: failed requests (`http_req_failed`) sent from the end of
 * the interval in which a breaker was first seen open (see `breaker_open_time`) until the
 * fault's revert (or the end), whole timeline intervals only, read from `http_req_duration`.
 * The threshold's tags (`fail_fast_p99{endpoint:accounts}`) filter the requests.
 * With a breaker those requests are refused at once (503); without one each waits for the
 * dependency's timeout. When no breaker was seen open (switched off, or not scraped), the window
 * starts `graceMs` after the inject instead, so the figure still says how slowly requests failed
 * (and `breaker_open_time` fails on its own). Half-open trial calls that time out are counted:
 * they are failures the client waited for. The detail adds the p99 of the requests that succeeded
 * in the same window: on a saturated machine both are slow, and the reader sees why.
 * Not measured when no fault was injected or no request failed in the window.
 */
export function failFastP99(params?: Readonly<Record<string, unknown>>): Check {
  const p = new ParamReader("fail_fast_p99", params);
  const options: BreakerWatchOptions = {
    dependency: p.string("dependency"),
    stateMetric: p.string("stateMetric", "app_circuit_breaker_state"),
    transitionsMetric: p.string("transitionsMetric", "app_circuit_breaker_transitions_total"),
    faultId: p.string("faultId"),
  };
  const graceMs = p.durationMs("graceMs", 2000);
  p.done();

  return {
    name: "fail_fast_p99",
    measure(ctx: CheckContext): CheckResult {
      const w = watchBreaker(ctx, options, {});
      if (typeof w === "string") return { measured: false, reason: w };
      const { timeline } = ctx;
      const interval = timeline.intervalMs;
      const fromMs = w.seenOpenAtMs ?? Math.min(ctx.endMs, Math.ceil((w.inject.atMs + graceMs) / interval) * interval);
      const toMs =
        w.revertAtMs === undefined ? Number.POSITIVE_INFINITY : Math.floor(w.revertAtMs / interval) * interval;
      const since =
        w.seenOpenAtMs === undefined
          ? `no breaker of ${w.dependency} seen open; from ${seconds(graceMs)} after fault ${w.inject.name}`
          : `breaker of ${w.dependency} open by ${seconds(fromMs)}`;
      const until = w.revertAtMs === undefined ? "the end" : `the revert at ${seconds(w.revertAtMs)}`;
      const { failed, succeeded } = durationsIn(ctx, ctx.tags, fromMs, toMs);
      // The successes of the same window are the machine's own latency: a reader's yardstick.
      const okP99 = succeeded ? percentile(succeeded.histogram, 99) : undefined;
      succeeded?.histogram.destroy();
      if (!failed) {
        return {
          measured: false,
          reason: `no request failed from ${seconds(fromMs)} to ${until} (${since})`,
        };
      }
      const { histogram, count, maxMs } = failed;
      const value = percentile(histogram, 99);
      histogram.destroy();
      return {
        measured: true,
        value,
        unit: "ms",
        detail:
          `p99 of ${count} failed requests sent from ${seconds(fromMs)} to ${until} (${since}): ` +
          `${value.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms` +
          (okP99 === undefined ? "" : `; the ${succeeded?.count} that succeeded meanwhile: p99 ${okP99.toFixed(1)} ms`),
        data: {
          faultId: w.inject.name,
          dependency: w.dependency,
          fromMs,
          toMs: Number.isFinite(toMs) ? toMs : ctx.endMs,
          failedRequests: count,
          ...(okP99 === undefined ? {} : { succeededP99Ms: okP99 }),
          breakerSeenOpen: w.seenOpenAtMs !== undefined,
        },
      };
    },
  };
}

/**
 * The merged latency histograms of the requests sent in whole intervals of [fromMs, toMs), failed
 * and succeeded apart. A duration series is failed when its `http_req_failed` twin (same tags)
 * recorded passes: the recorder keys both by template and status, so a series is all failures or none.
 */
function durationsIn(
  ctx: CheckContext,
  tags: Tags,
  fromMs: number,
  toMs: number,
): { failed?: Latencies; succeeded?: Latencies } {
  const { timeline } = ctx;
  const interval = timeline.intervalMs;
  const failedKeys = new Set<string>();
  for (const s of timeline.match("http_req_failed", tags)) {
    if (s.type !== "rate") continue;
    if ((s.toJSON().buckets as RateBucketJSON[]).some((b) => b.passes > 0)) failedKeys.add(tagKey(s.tags));
  }
  const out: { failed?: Latencies; succeeded?: Latencies } = {};
  for (const s of timeline.match("http_req_duration", tags)) {
    if (s.type !== "trend") continue;
    const side = failedKeys.has(tagKey(s.tags)) ? "failed" : "succeeded";
    for (const b of s.toJSON().buckets as TrendBucketJSON[]) {
      if (b.count === 0 || b.t < fromMs || b.t + interval > toMs || !b.hist) continue;
      const h = hdr.decodeFromCompressedBase64(b.hist, 32, false);
      out[side] ??= { histogram: newHistogram(), count: 0, maxMs: 0 };
      const acc = out[side];
      acc.histogram.add(h);
      h.destroy();
      acc.count += b.count;
      acc.maxMs = Math.max(acc.maxMs, b.max);
    }
  }
  return out;
}

interface Latencies {
  histogram: Histogram;
  count: number;
  maxMs: number;
}

function tagKey(tags: Tags): string {
  return JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
