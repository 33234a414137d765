import * as hdr from "hdr-histogram-js";
import { type Clock, systemClock } from "./clock.ts";
import type {
  BucketJSON,
  CounterBucketJSON,
  GaugeBucketJSON,
  MetricInfo,
  MetricType,
  RateBucketJSON,
  SeriesJSON,
  Tags,
  TimelineEvent,
  TimelineJSON,
  TrendBucketJSON,
} from "./types.ts";

/** Trend values are stored as integers at 1/1000 of the metric's unit (ms -> µs). */
export const TREND_SCALE = 1000;

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({ numberOfSignificantValueDigits: 3, autoResize: true, bitBucketSize: 32 });
}

interface TrendBucket {
  t: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  hist: Histogram | undefined;
  /** Set once the bucket is sealed: the compressed form replaces the live histogram. */
  encoded: string | undefined;
}
interface CounterBucket {
  t: number;
  sum: number;
}
interface RateBucket {
  t: number;
  passes: number;
  total: number;
}
interface GaugeBucket {
  t: number;
  last: number;
  min: number;
  max: number;
}
type Bucket = TrendBucket | CounterBucket | RateBucket | GaugeBucket;

/**
 * One metric under one tag set, bucketed by the timeline's interval. Take it once with
 * `timeline.series(...)` and record into it on the hot path: no key building per sample.
 */
export class Series {
  readonly metric: string;
  readonly type: MetricType;
  readonly tags: Tags;
  /** Buckets by interval index, in insertion order (mostly increasing). */
  readonly buckets = new Map<number, Bucket>();
  readonly #timeline: Timeline;
  /** Indices of trend buckets holding a live histogram: sealing visits only these. */
  readonly #live = new Set<number>();
  #lastIndex = -1;
  #last: Bucket | undefined;

  constructor(timeline: Timeline, metric: string, type: MetricType, tags: Tags) {
    this.#timeline = timeline;
    this.metric = metric;
    this.type = type;
    this.tags = tags;
  }

  #bucket(atMs: number): Bucket {
    const index = Math.max(0, Math.floor(atMs / this.#timeline.intervalMs));
    if (index === this.#lastIndex && this.#last) return this.#last;
    let b = this.buckets.get(index);
    if (!b) {
      const t = index * this.#timeline.intervalMs;
      switch (this.type) {
        case "trend":
          b = {
            t,
            count: 0,
            min: Number.POSITIVE_INFINITY,
            max: Number.NEGATIVE_INFINITY,
            sum: 0,
            hist: newHistogram(),
            encoded: undefined,
          };
          break;
        case "counter":
          b = { t, sum: 0 };
          break;
        case "rate":
          b = { t, passes: 0, total: 0 };
          break;
        case "gauge":
          b = { t, last: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
          break;
      }
      this.buckets.set(index, b);
      if (this.type === "trend") this.#live.add(index);
      this.#timeline.noteBucket(this, index);
    }
    this.#lastIndex = index;
    this.#last = b;
    return b;
  }

  /** A trend value (for durations: ms). */
  trend(value: number, atMs = this.#timeline.clock.nowMs()): void {
    const b = this.#bucket(atMs) as TrendBucket;
    const v = Math.max(value, 0);
    if (!b.hist) {
      // A late sample into a sealed bucket: reopen it, and let the next seal close it again.
      b.hist = reopen(b);
      this.#live.add(Math.floor(b.t / this.#timeline.intervalMs));
      this.#timeline.noteReopened(this);
    }
    b.hist.recordValue(Math.round(v * TREND_SCALE));
    b.count++;
    b.sum += v;
    if (v < b.min) b.min = v;
    if (v > b.max) b.max = v;
    this.#timeline.touch(atMs);
  }

  count(n = 1, atMs = this.#timeline.clock.nowMs()): void {
    (this.#bucket(atMs) as CounterBucket).sum += n;
    this.#timeline.touch(atMs);
  }

  rate(pass: boolean, atMs = this.#timeline.clock.nowMs()): void {
    const b = this.#bucket(atMs) as RateBucket;
    b.total++;
    if (pass) b.passes++;
    this.#timeline.touch(atMs);
  }

  gauge(value: number, atMs = this.#timeline.clock.nowMs()): void {
    const b = this.#bucket(atMs) as GaugeBucket;
    b.last = value;
    if (value < b.min) b.min = value;
    if (value > b.max) b.max = value;
    this.#timeline.touch(atMs);
  }

  /** Trend buckets holding an uncompressed histogram now (the rest are sealed): stays small through a soak. */
  get liveHistograms(): number {
    return this.#live.size;
  }

  /** Compress the trend buckets older than `beforeIndex`: memory stays flat through a soak. */
  seal(beforeIndex: number): void {
    if (this.type !== "trend") return;
    for (const index of this.#live) {
      if (index >= beforeIndex) continue;
      this.#live.delete(index);
      const tb = this.buckets.get(index) as TrendBucket | undefined;
      if (tb?.hist) {
        tb.encoded = hdr.encodeIntoCompressedBase64(tb.hist);
        tb.hist.destroy();
        tb.hist = undefined;
        if (this.#last === tb) {
          this.#last = undefined;
          this.#lastIndex = -1;
        }
      }
    }
  }

  toJSON(): SeriesJSON {
    const buckets: BucketJSON[] = [];
    const ordered = [...this.buckets.entries()].sort((a, b) => a[0] - b[0]);
    for (const [, b] of ordered) {
      if (this.type === "trend") {
        const tb = b as TrendBucket;
        const hist = tb.encoded ?? (tb.hist ? hdr.encodeIntoCompressedBase64(tb.hist) : "");
        buckets.push({ t: tb.t, count: tb.count, min: tb.min, max: tb.max, sum: tb.sum, hist });
      } else {
        buckets.push({ ...b });
      }
    }
    return { metric: this.metric, tags: { ...this.tags }, buckets };
  }

  /** Load buckets from JSON (used by Timeline.fromJSON and merge). Adds to what is there. */
  absorb(json: SeriesJSON): void {
    const interval = this.#timeline.intervalMs;
    for (const raw of json.buckets) {
      const at = raw.t;
      const index = Math.floor(at / interval);
      const existing = this.buckets.get(index);
      switch (this.type) {
        case "trend": {
          const src = raw as TrendBucketJSON;
          if (src.count === 0) continue;
          const incoming = decode(src.hist);
          this.#live.add(index);
          if (!existing) {
            this.buckets.set(index, {
              t: index * interval,
              count: src.count,
              min: src.min,
              max: src.max,
              sum: src.sum,
              hist: incoming,
              encoded: undefined,
            });
          } else {
            const tb = existing as TrendBucket;
            if (!tb.hist) tb.hist = reopen(tb);
            tb.hist.add(incoming);
            incoming.destroy();
            tb.count += src.count;
            tb.sum += src.sum;
            tb.min = Math.min(tb.min, src.min);
            tb.max = Math.max(tb.max, src.max);
          }
          break;
        }
        case "counter": {
          const src = raw as CounterBucketJSON;
          if (existing) (existing as CounterBucket).sum += src.sum;
          else this.buckets.set(index, { t: index * interval, sum: src.sum });
          break;
        }
        case "rate": {
          const src = raw as RateBucketJSON;
          if (existing) {
            (existing as RateBucket).passes += src.passes;
            (existing as RateBucket).total += src.total;
          } else this.buckets.set(index, { t: index * interval, passes: src.passes, total: src.total });
          break;
        }
        case "gauge": {
          const src = raw as GaugeBucketJSON;
          if (existing) {
            const g = existing as GaugeBucket;
            g.last = src.last;
            g.min = Math.min(g.min, src.min);
            g.max = Math.max(g.max, src.max);
          } else this.buckets.set(index, { t: index * interval, last: src.last, min: src.min, max: src.max });
          break;
        }
      }
    }
    this.#last = undefined;
    this.#lastIndex = -1;
  }
}

function decode(encoded: string): Histogram {
  if (!encoded) return newHistogram();
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // A decoded histogram covers only the range it was encoded with; merges and late samples need more.
  h.autoResize = true;
  return h;
}

function reopen(b: TrendBucket): Histogram {
  const h = b.encoded ? decode(b.encoded) : newHistogram();
  b.encoded = undefined;
  return h;
}

/** A window on the run clock, [fromMs, toMs). */
export interface Window {
  fromMs: number;
  toMs: number;
}

/** Which series a query reads: a metric and the tags every matching series must carry. */
export interface Selector {
  metric: string;
  tags?: Tags;
  /** Buckets whose interval overlaps one of these windows count; absent means the whole run. */
  windows?: readonly Window[];
}

/** What a selector read, aggregated over every matching series and bucket. */
export interface Aggregate {
  type: MetricType;
  /** Series that matched the metric and tags. */
  seriesCount: number;
  /** Samples seen (trend values, rate checks, counter increments, gauge buckets). */
  samples: number;
  /** trend */
  histogram?: Histogram;
  min?: number;
  max?: number;
  sum?: number;
  /** counter */
  total?: number;
  /** rate */
  passes?: number;
  /** gauge: the last value written, and extremes. */
  last?: number;
}

/**
 * One interval of one metric, read out for charts and progress lines. `samples` is always set;
 * the other figures depend on the metric type (trend: latency figures in the metric's unit;
 * counter: total and perS; rate: passes, total, rate; gauge: last, min, max).
 */
export interface IntervalPoint {
  /** Run-clock ms of the interval start. */
  t: number;
  samples: number;
  min?: number;
  max?: number;
  mean?: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  /** counter: sum in the interval; rate: checks in the interval. */
  total?: number;
  /** counter: total per second of interval. */
  perS?: number;
  passes?: number;
  /** rate: passes / total (0..1). */
  rate?: number;
  last?: number;
}

export interface TimelineOptions {
  runId?: string;
  clock?: Clock;
  /** Bucket width in ms, 1000 by default, 100 at the finest. */
  intervalMs?: number;
  /** Trend buckets older than this many intervals are compressed. Default 5. */
  sealAfterIntervals?: number;
}

/**
 * The shared room: every sample, event and probe reading of a run, on one clock.
 * Samples go into per-interval buckets (HdrHistograms for trends), never an array per sample.
 */
export class Timeline {
  readonly runId: string;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly metrics = new Map<string, MetricInfo>();
  readonly events: TimelineEvent[] = [];
  readonly #series = new Map<string, Series>();
  readonly #sealAfter: number;
  #endMs = 0;
  #highestIndex = -1;
  #sealedUpTo = 0;
  #listeners: Array<(e: TimelineEvent) => void> = [];
  /** Series with a bucket reopened behind the seal line: sealed again on the next interval. */
  readonly #reopened = new Set<Series>();

  constructor(options: TimelineOptions = {}) {
    this.runId = options.runId ?? `run-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    this.clock = options.clock ?? systemClock();
    this.intervalMs = options.intervalMs ?? 1000;
    if (!(this.intervalMs >= 100)) throw new RangeError(`intervalMs must be at least 100, got ${this.intervalMs}`);
    this.#sealAfter = options.sealAfterIntervals ?? 5;
  }

  /** Declare a metric; a second declaration must agree on the type. */
  define(metric: string, type: MetricType, unit = ""): MetricInfo {
    const known = this.metrics.get(metric);
    if (known) {
      if (known.type !== type) throw new TypeError(`metric ${metric} is a ${known.type}, not a ${type}`);
      return known;
    }
    const info = { type, unit };
    this.metrics.set(metric, info);
    return info;
  }

  /** The recorder for one metric and tag set (created on first use). */
  series(metric: string, type: MetricType, tags: Tags = {}, unit = ""): Series {
    const key = seriesKey(metric, tags);
    let s = this.#series.get(key);
    if (!s) {
      this.define(metric, type, unit);
      s = new Series(this, metric, type, { ...tags });
      this.#series.set(key, s);
    } else if (s.type !== type) {
      throw new TypeError(`metric ${metric} is a ${s.type}, not a ${type}`);
    }
    return s;
  }

  allSeries(): Series[] {
    return [...this.#series.values()];
  }

  /** Record an event on the run clock and tell the listeners (progress, reports). */
  event(kind: string, name: string, data?: Record<string, unknown>, atMs = this.clock.nowMs()): TimelineEvent {
    const e: TimelineEvent = data === undefined ? { atMs, kind, name } : { atMs, kind, name, data };
    this.events.push(e);
    this.touch(atMs);
    for (const l of this.#listeners) l(e);
    return e;
  }

  onEvent(listener: (e: TimelineEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** @internal called by Series */
  touch(atMs: number): void {
    if (atMs > this.#endMs) this.#endMs = atMs;
  }

  /** @internal called by Series when it opens a bucket: seal trend buckets well behind the newest. */
  noteBucket(_s: Series, index: number): void {
    if (index <= this.#highestIndex) return;
    this.#highestIndex = index;
    const sealBefore = index - this.#sealAfter;
    if (sealBefore > this.#sealedUpTo) {
      for (const s of this.#series.values()) s.seal(sealBefore);
      this.#sealedUpTo = sealBefore;
      this.#reopened.clear();
    } else if (this.#reopened.size > 0) {
      for (const s of this.#reopened) s.seal(this.#sealedUpTo);
      this.#reopened.clear();
    }
  }

  /** @internal called by Series when a late sample reopens a sealed bucket. */
  noteReopened(s: Series): void {
    if (Number.isFinite(this.#sealAfter)) this.#reopened.add(s);
  }

  /** Run clock ms of the latest sample or event. */
  get endMs(): number {
    return this.#endMs;
  }

  /** Mark the end of the run (so windows reaching "the end" have one). */
  close(atMs = this.clock.nowMs()): void {
    this.touch(atMs);
  }

  /** Series of `metric` whose tags include every pair in `tags`. */
  match(metric: string, tags: Tags = {}): Series[] {
    const out: Series[] = [];
    const pairs = Object.entries(tags);
    for (const s of this.#series.values()) {
      if (s.metric !== metric) continue;
      if (pairs.every(([k, v]) => s.tags[k] === v)) out.push(s);
    }
    return out;
  }

  /** Aggregate a metric over its matching series and windows. Undefined if the metric was never defined. */
  aggregate(selector: Selector): Aggregate | undefined {
    const info = this.metrics.get(selector.metric);
    if (!info) return undefined;
    const series = this.match(selector.metric, selector.tags);
    const agg: Aggregate = { type: info.type, seriesCount: series.length, samples: 0 };
    let lastT = Number.NEGATIVE_INFINITY;
    for (const s of series) {
      for (const b of this.#bucketsIn(s, selector.windows)) {
        switch (info.type) {
          case "trend": {
            const tb = b as TrendBucket;
            if (tb.count === 0) break;
            agg.histogram ??= newHistogram();
            if (tb.hist) agg.histogram.add(tb.hist);
            else if (tb.encoded) {
              const h = decode(tb.encoded);
              agg.histogram.add(h);
              h.destroy();
            }
            agg.samples += tb.count;
            agg.sum = (agg.sum ?? 0) + tb.sum;
            agg.min = Math.min(agg.min ?? Number.POSITIVE_INFINITY, tb.min);
            agg.max = Math.max(agg.max ?? Number.NEGATIVE_INFINITY, tb.max);
            break;
          }
          case "counter": {
            const cb = b as CounterBucket;
            agg.total = (agg.total ?? 0) + cb.sum;
            agg.samples += 1;
            break;
          }
          case "rate": {
            const rb = b as RateBucket;
            agg.passes = (agg.passes ?? 0) + rb.passes;
            agg.total = (agg.total ?? 0) + rb.total;
            agg.samples += rb.total;
            break;
          }
          case "gauge": {
            const gb = b as GaugeBucket;
            agg.min = Math.min(agg.min ?? Number.POSITIVE_INFINITY, gb.min);
            agg.max = Math.max(agg.max ?? Number.NEGATIVE_INFINITY, gb.max);
            if (gb.t >= lastT) {
              lastT = gb.t;
              agg.last = gb.last;
            }
            agg.samples += 1;
            break;
          }
        }
      }
    }
    return agg;
  }

  /**
   * The buckets of `s` whose interval overlaps a window (each once). Short windows on a long run
   * look their few intervals up by index instead of scanning every bucket.
   */
  #bucketsIn(s: Series, windows: readonly Window[] | undefined): Iterable<Bucket> {
    if (!windows) return s.buckets.values();
    const width = this.intervalMs;
    let span = 0;
    for (const w of windows) {
      if (w.toMs > w.fromMs) span += Math.ceil(w.toMs / width) - Math.floor(w.fromMs / width);
    }
    if (span >= s.buckets.size || !windows.every((w) => Number.isFinite(w.fromMs) && Number.isFinite(w.toMs))) {
      return [...s.buckets.values()].filter((b) => windows.some((w) => b.t + width > w.fromMs && b.t < w.toMs));
    }
    const seen = new Set<number>();
    const out: Bucket[] = [];
    for (const w of windows) {
      if (!(w.toMs > w.fromMs)) continue;
      for (let i = Math.max(0, Math.floor(w.fromMs / width)); i * width < w.toMs; i++) {
        if (seen.has(i)) continue;
        seen.add(i);
        const b = s.buckets.get(i);
        if (b) out.push(b);
      }
    }
    return out;
  }

  /**
   * Per-interval read-out of a metric over its matching series (merged), oldest first; only
   * intervals with data appear. Windows, when given, keep the intervals overlapping them.
   */
  intervals(selector: Selector): IntervalPoint[] {
    const info = this.metrics.get(selector.metric);
    if (!info) return [];
    const byT = new Map<number, { bucket: Bucket; extra: Bucket[] }>();
    for (const s of this.match(selector.metric, selector.tags)) {
      for (const b of this.#bucketsIn(s, selector.windows)) {
        const at = byT.get(b.t);
        if (at) at.extra.push(b);
        else byT.set(b.t, { bucket: b, extra: [] });
      }
    }
    const out: IntervalPoint[] = [];
    for (const t of [...byT.keys()].sort((a, b) => a - b)) {
      const { bucket, extra } = byT.get(t)!;
      out.push(readInterval(info.type, [bucket, ...extra], this.intervalMs));
    }
    return out;
  }

  toJSON(): TimelineJSON {
    return {
      format: "harness.timeline/v1",
      runId: this.runId,
      startedAt: new Date(this.clock.wallAnchorMs).toISOString(),
      intervalMs: this.intervalMs,
      endMs: this.#endMs,
      metrics: Object.fromEntries(this.metrics),
      series: this.allSeries().map((s) => s.toJSON()),
      events: [...this.events].sort((a, b) => a.atMs - b.atMs),
    };
  }

  /** Rebuild a timeline from its JSON (for `harness report` and tests). */
  static fromJSON(json: TimelineJSON): Timeline {
    if (json.format !== "harness.timeline/v1") {
      throw new TypeError(`not a harness timeline (format ${String(json.format)})`);
    }
    const wallAnchorMs = Date.parse(json.startedAt);
    const endMs = json.endMs;
    const t = new Timeline({
      runId: json.runId,
      intervalMs: json.intervalMs,
      clock: { nowMs: () => endMs, wallAnchorMs },
      sealAfterIntervals: Number.POSITIVE_INFINITY,
    });
    t.mergeJSON(json);
    return t;
  }

  /** Add another timeline's samples and events (same interval). Used to join engines' and workers' timelines. */
  mergeJSON(json: TimelineJSON): void {
    if (json.intervalMs !== this.intervalMs) {
      throw new RangeError(`cannot merge a ${json.intervalMs} ms timeline into a ${this.intervalMs} ms one`);
    }
    for (const [name, info] of Object.entries(json.metrics)) this.define(name, info.type, info.unit);
    for (const s of json.series) {
      const info = json.metrics[s.metric];
      if (!info) throw new TypeError(`series of undeclared metric ${s.metric}`);
      this.series(s.metric, info.type, s.tags, info.unit).absorb(s);
    }
    for (const e of json.events) this.events.push(e);
    this.events.sort((a, b) => a.atMs - b.atMs);
    this.touch(json.endMs);
  }

  merge(other: Timeline): void {
    this.mergeJSON(other.toJSON());
  }
}

function readInterval(type: MetricType, buckets: Bucket[], intervalMs: number): IntervalPoint {
  const t = buckets[0]!.t;
  switch (type) {
    case "trend": {
      let count = 0;
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      const h = newHistogram();
      for (const raw of buckets) {
        const b = raw as TrendBucket;
        if (b.count === 0) continue;
        count += b.count;
        sum += b.sum;
        min = Math.min(min, b.min);
        max = Math.max(max, b.max);
        if (b.hist) h.add(b.hist);
        else if (b.encoded) {
          const d = decode(b.encoded);
          h.add(d);
          d.destroy();
        }
      }
      const point: IntervalPoint = { t, samples: count };
      if (count > 0) {
        point.min = min;
        point.max = max;
        point.mean = sum / count;
        point.p50 = percentile(h, 50);
        point.p90 = percentile(h, 90);
        point.p95 = percentile(h, 95);
        point.p99 = percentile(h, 99);
      }
      h.destroy();
      return point;
    }
    case "counter": {
      let total = 0;
      for (const b of buckets) total += (b as CounterBucket).sum;
      return { t, samples: buckets.length, total, perS: total / (intervalMs / 1000) };
    }
    case "rate": {
      let passes = 0;
      let total = 0;
      for (const b of buckets) {
        passes += (b as RateBucket).passes;
        total += (b as RateBucket).total;
      }
      return total > 0 ? { t, samples: total, passes, total, rate: passes / total } : { t, samples: 0, passes, total };
    }
    case "gauge": {
      const gs = buckets as GaugeBucket[];
      return {
        t,
        samples: gs.length,
        last: gs[gs.length - 1]!.last,
        min: Math.min(...gs.map((g) => g.min)),
        max: Math.max(...gs.map((g) => g.max)),
      };
    }
  }
}

function seriesKey(metric: string, tags: Tags): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return metric;
  keys.sort();
  let k = metric;
  for (const key of keys) k += `\u0000${key}\u0001${tags[key]}`;
  return k;
}

/** Percentile of an aggregated trend, in the metric's unit. */
export function percentile(h: Histogram, p: number): number {
  return h.getValueAtPercentile(p) / TREND_SCALE;
}
