import type { Timeline } from "../../timeline/index.ts";
import type { RateBucketJSON, Tags } from "../../timeline/types.ts";

/** One timeline interval of a rate metric, summed over the matching series. */
export interface RateInterval {
  passes: number;
  total: number;
}

/** A rate metric per timeline interval (index = floor(t / intervalMs)), summed over series matching `tags`. */
export function ratePerInterval(timeline: Timeline, metric: string, tags: Tags): Map<number, RateInterval> {
  const out = new Map<number, RateInterval>();
  for (const s of timeline.match(metric, tags)) {
    if (s.type !== "rate") continue;
    for (const b of s.toJSON().buckets as RateBucketJSON[]) {
      const index = Math.floor(b.t / timeline.intervalMs);
      const acc = out.get(index);
      if (acc) {
        acc.passes += b.passes;
        acc.total += b.total;
      } else out.set(index, { passes: b.passes, total: b.total });
    }
  }
  return out;
}

/** `12345` -> `12.3 s` (ms to seconds for details). */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `0.0123` -> `1.23%`. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
