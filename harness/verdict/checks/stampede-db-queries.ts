import type { Series } from "../../timeline/index.ts";
import { ParamReader } from "./params.ts";
import { seconds } from "./rate-per-interval.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/** Params of `stampede_db_queries`. */
export interface StampedeDbQueriesParams {
  /** The gauge holding each app's origin-query counter, by key. Default `app_origin_db_queries_total`. */
  metric?: string;
  /** The tag naming the key the query was for. Default `key`. */
  keyTag?: string;
  /** Count the queries this long after the keys expired, ms (or `5s`). Default 5000. */
  windowMs?: number | string;
  /** Measure after this fault's `fault.inject`. Default: the first `expire-keys` fault. */
  faultId?: string;
}

interface GaugeBucket {
  t: number;
  last: number;
}

/**
 * `stampede_db_queries`: origin database queries per expired hot key, in the `windowMs` after an
 * `expire-keys` fault, summed over every series of `metric` whose `keyTag` names an expired key
 * (one series per app and query). A counter's increase is its last reading by the window's end
 * minus its last reading in the interval before the inject (0 when it first appears after).
 * With stampede protection the origin sees about one query per key; without, one per request
 * that missed. Value: the mean over the expired keys; the worst key is in the detail.
 * Not measured when no keys were expired, the metric was never recorded, the run ended before the
 * window closed, or no reading followed.
 */
export function stampedeDbQueries(params?: Readonly<Record<string, unknown>>): Check {
  const p = new ParamReader("stampede_db_queries", params);
  const metric = p.string("metric", "app_origin_db_queries_total");
  const keyTag = p.string("keyTag", "key");
  const windowMs = p.durationMs("windowMs", 5000);
  const faultId = p.string("faultId");
  p.done();

  return {
    name: "stampede_db_queries",
    measure(ctx: CheckContext): CheckResult {
      const { timeline } = ctx;
      const inject = timeline.events
        .filter((e) => e.kind === "fault.inject" && e.atMs <= ctx.endMs)
        .sort((a, b) => a.atMs - b.atMs)
        .find((e) => (faultId ? e.name === faultId : e.data?.kind === "expire-keys" || "hotKeys" in (e.data ?? {})));
      if (!inject)
        return {
          measured: false,
          reason: faultId ? `fault ${faultId} was never injected` : "no expire-keys fault was injected",
        };
      const keys = Array.isArray(inject.data?.hotKeys) ? inject.data.hotKeys.map(String) : [];
      if (keys.length === 0) return { measured: false, reason: `fault ${inject.name} expired no key` };
      if (!timeline.metrics.has(metric))
        return { measured: false, reason: `metric ${metric} was never recorded (is the app scraped?)` };

      if (ctx.endMs < inject.atMs + windowMs) {
        return {
          measured: false,
          reason: `the run ended before the ${seconds(windowMs)} window after ${inject.name} closed`,
        };
      }
      const interval = timeline.intervalMs;
      const beforeIndex = Math.floor(inject.atMs / interval) - 1;
      const afterIndex = Math.floor((inject.atMs + windowMs) / interval);
      let readAfter = false;
      const perKey = keys.map((key) => {
        let queries = 0;
        for (const s of timeline.match(metric, { ...ctx.tags, [keyTag]: key })) {
          const before = lastReading(s, beforeIndex);
          const after = lastReading(s, afterIndex);
          if (after === undefined || after.t / interval <= beforeIndex) continue;
          readAfter = true;
          queries += Math.max(0, after.last - (before?.last ?? 0));
        }
        return { key, queries };
      });
      if (!readAfter) {
        return {
          measured: false,
          reason: `no reading of ${metric} for the expired keys after ${seconds(inject.atMs)}`,
        };
      }
      const total = perKey.reduce((n, k) => n + k.queries, 0);
      const worst = perKey.reduce((a, b) => (b.queries > a.queries ? b : a));
      const mean = total / keys.length;
      return {
        measured: true,
        value: mean,
        unit: "",
        detail: `${total} origin queries for ${keys.length} expired keys in ${seconds(windowMs)} after ${inject.name} at ${seconds(inject.atMs)} (${mean.toFixed(1)} per key; worst ${worst.key}: ${worst.queries})`,
        data: { total, keys: keys.length, perKey },
      };
    },
  };
}

/** The newest gauge bucket at or before `index`. */
function lastReading(s: Series, index: number): GaugeBucket | undefined {
  let best: [number, GaugeBucket] | undefined;
  for (const [i, b] of s.buckets) {
    if (i <= index && (!best || i > best[0])) best = [i, b as GaugeBucket];
  }
  return best?.[1];
}
