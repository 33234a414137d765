import * as hdr from "hdr-histogram-js";
import { type Histogram, newHistogram, percentile } from "../timeline/index.ts";
import type { CounterBucketJSON, RateBucketJSON, TimelineJSON, TrendBucketJSON } from "../timeline/types.ts";

/** Request figures for one display interval [tMs, tMs + widthMs). Absent figures mean "no samples". */
export interface IntervalRow {
  /** Run-clock ms of the interval start. */
  tMs: number;
  widthMs: number;
  /** Requests completed in the interval (`http_reqs`, or the latency sample count without it). */
  requests: number;
  /** Requests per second. */
  rps: number;
  /** Failed requests (`http_req_failed` passes). */
  failed: number;
  /** Failed requests per second. */
  failedRps: number;
  /** failed / checked, 0..1; undefined when no request was checked. */
  errorRate?: number;
  /** Latency of `http_req_duration` in ms; undefined when no sample. */
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

/** Per-interval request statistics of a run, ready to draw. */
export interface Intervals {
  /** Width of one display interval in ms (a multiple of the timeline interval). */
  widthMs: number;
  rows: IntervalRow[];
  /** Whether each metric had any series at all. */
  has: { requests: boolean; failed: boolean; latency: boolean };
  /** The whole run at once: what the header's summary line shows. */
  overall: {
    requests: number;
    failed: number;
    /** failed / checked over the run; undefined when nothing was checked. */
    errorRate?: number;
    p50Ms?: number;
    p99Ms?: number;
    maxMs?: number;
  };
}

/** Options of intervalStats. */
export interface IntervalOptions {
  /** At most this many display intervals; timeline buckets are merged to fit. Default 600. */
  maxPoints?: number;
  /** Trend metric for latency. Default `http_req_duration`. */
  latencyMetric?: string;
}

/**
 * Throughput, error rate and latency percentiles per interval, read from the timeline JSON.
 * Latency percentiles come from the merged HdrHistograms of every `http_req_duration` series in
 * the interval (decoded here, in Node), so p99 is a true percentile, not an average of p99s.
 */
export function intervalStats(json: TimelineJSON, options: IntervalOptions = {}): Intervals {
  const maxPoints = options.maxPoints ?? 600;
  const latencyMetric = options.latencyMetric ?? "http_req_duration";
  const base = json.intervalMs;
  const endMs = Math.max(json.endMs, base);
  const baseCount = Math.ceil(endMs / base);
  const factor = Math.max(1, Math.ceil(baseCount / maxPoints));
  const widthMs = base * factor;
  const count = Math.max(1, Math.ceil(endMs / widthMs));
  const slot = (t: number): number => Math.min(count - 1, Math.max(0, Math.floor(t / widthMs)));

  const requests = new Float64Array(count);
  const failed = new Float64Array(count);
  const checked = new Float64Array(count);
  const latencyCount = new Float64Array(count);
  const maxMs = new Float64Array(count).fill(Number.NEGATIVE_INFINITY);
  const hists: Array<Histogram | undefined> = new Array(count);
  const has = { requests: false, failed: false, latency: false };

  for (const s of json.series) {
    if (s.metric === "http_reqs") {
      has.requests = true;
      for (const b of s.buckets as CounterBucketJSON[]) requests[slot(b.t)]! += b.sum;
    } else if (s.metric === "http_req_failed") {
      has.failed = true;
      for (const b of s.buckets as RateBucketJSON[]) {
        const i = slot(b.t);
        failed[i]! += b.passes;
        checked[i]! += b.total;
      }
    } else if (s.metric === latencyMetric) {
      has.latency = true;
      for (const b of s.buckets as TrendBucketJSON[]) {
        if (b.count === 0 || !b.hist) continue;
        const i = slot(b.t);
        latencyCount[i]! += b.count;
        if (b.max > maxMs[i]!) maxMs[i] = b.max;
        const decoded = hdr.decodeFromCompressedBase64(b.hist, 32, false);
        let h = hists[i];
        if (!h) {
          h = newHistogram();
          hists[i] = h;
        }
        h.add(decoded);
        decoded.destroy();
      }
    }
  }

  const rows: IntervalRow[] = [];
  const all = newHistogram();
  let allMax = Number.NEGATIVE_INFINITY;
  let allFailed = 0;
  let allChecked = 0;
  for (let i = 0; i < count; i++) {
    const tMs = i * widthMs;
    // The last interval may be cut short by the end of the run: rates use the time it covered.
    const coveredS = Math.max(0.001, (Math.min(widthMs, endMs - tMs) || widthMs) / 1000);
    const n = has.requests ? requests[i]! : latencyCount[i]!;
    const row: IntervalRow = {
      tMs,
      widthMs,
      requests: n,
      rps: n / coveredS,
      failed: failed[i]!,
      failedRps: failed[i]! / coveredS,
    };
    if (checked[i]! > 0) row.errorRate = failed[i]! / checked[i]!;
    allFailed += failed[i]!;
    allChecked += checked[i]!;
    const h = hists[i];
    if (h) {
      all.add(h);
      allMax = Math.max(allMax, maxMs[i]!);
      // HdrHistogram answers with the top of a value's bucket (3 significant digits): never above the exact max.
      const max = maxMs[i]!;
      row.p50Ms = Math.min(max, percentile(h, 50));
      row.p90Ms = Math.min(max, percentile(h, 90));
      row.p99Ms = Math.min(max, percentile(h, 99));
      row.maxMs = max;
      h.destroy();
    }
    rows.push(row);
  }
  const overall: Intervals["overall"] = {
    requests: rows.reduce((sum, r) => sum + r.requests, 0),
    failed: allFailed,
  };
  if (allChecked > 0) overall.errorRate = allFailed / allChecked;
  if (allMax > Number.NEGATIVE_INFINITY) {
    overall.p50Ms = Math.min(allMax, percentile(all, 50));
    overall.p99Ms = Math.min(allMax, percentile(all, 99));
    overall.maxMs = allMax;
  }
  all.destroy();
  return { widthMs, rows, has: { ...has, requests: has.requests || has.latency }, overall };
}
