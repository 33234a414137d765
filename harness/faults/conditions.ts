import type { Tags, Timeline } from "../timeline/index.ts";

/** Which error rate a condition reads: a rate metric (true = failed, as k6's http_req_failed) and its tags. */
export interface ErrorRateSource {
  /** Default `http_req_failed`. */
  metric?: string;
  /** Only series carrying these tags. Default: all. */
  tags?: Tags;
  /** An interval with fewer samples than this proves nothing and breaks the streak. Default 1. */
  minSamples?: number;
}

export interface HeldQuery extends ErrorRateSource {
  /** The per-interval error rate must stay strictly below this (0..1). */
  maxErrorRate: number;
  /** For this long, ms (rounded up to whole timeline intervals). */
  forMs: number;
  /** Only intervals that start at or after this run-clock time count. Default 0. */
  sinceMs?: number;
  /** Run-clock now; only intervals complete by then count. */
  nowMs: number;
}

/** What `errorRateHeld` saw: the verdict and the intervals behind it. */
export interface HeldResult {
  held: boolean;
  /** Complete intervals needed. */
  needed: number;
  /** Consecutive good intervals ending at the newest complete one. */
  streak: number;
  /** Error rate of the newest complete interval, undefined when it had too few samples. */
  lastRate: number | undefined;
}

/**
 * Did the per-interval error rate stay under `maxErrorRate` for the last `forMs` of complete
 * timeline intervals? Every interval in the stretch must have at least `minSamples` samples:
 * no traffic is no evidence of a steady state.
 */
export function errorRateHeld(timeline: Timeline, q: HeldQuery): HeldResult {
  const interval = timeline.intervalMs;
  const needed = Math.max(1, Math.ceil(q.forMs / interval));
  const metric = q.metric ?? "http_req_failed";
  const minSamples = q.minSamples ?? 1;
  const firstIndex = Math.ceil((q.sinceMs ?? 0) / interval);
  // The newest interval that has ended by nowMs.
  const lastComplete = Math.floor(q.nowMs / interval) - 1;
  let streak = 0;
  let lastRate: number | undefined;
  for (let i = lastComplete; i >= firstIndex && streak < needed; i--) {
    const agg = timeline.aggregate({
      metric,
      tags: q.tags,
      windows: [{ fromMs: i * interval, toMs: (i + 1) * interval }],
    });
    const total = agg?.total ?? 0;
    const rate = total >= minSamples && total > 0 ? (agg?.passes ?? 0) / total : undefined;
    if (i === lastComplete) lastRate = rate;
    if (rate === undefined || rate >= q.maxErrorRate) break;
    streak++;
  }
  return { held: streak >= needed, needed, streak, lastRate };
}
