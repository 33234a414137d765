import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { HarnessError } from "../errors.ts";
import type { Clock } from "./clock.ts";
import { type Series, Timeline } from "./timeline.ts";
import type { MetricType } from "./types.ts";

/** Options of ingestK6Lines / ingestK6File. */
export interface K6IngestOptions {
  /**
   * Add to this timeline (the k6 engine joining a harness run): point times map onto its clock
   * through `wallAnchorMs`. Default: a new timeline whose run clock starts at k6's first point.
   */
  timeline?: Timeline;
  /** Bucket width of a new timeline, ms. Default 1000. */
  intervalMs?: number;
  /** Run id of a new timeline. */
  runId?: string;
  /** Tags not copied onto series (cardinality). Default none: every k6 tag is a series tag. */
  dropTags?: readonly string[];
  /** Named in errors: the file path, or "k6 output". */
  source?: string;
}

/** What an ingest produced. */
export interface K6Ingest {
  timeline: Timeline;
  /** Thresholds k6 listed on its `Metric` lines (submetrics' thresholds are not in k6's output). */
  thresholds: Record<string, string[]>;
  /** Points read. */
  points: number;
  /** Epoch ms of run clock 0. */
  wallAnchorMs: number;
}

interface K6MetricLine {
  type: "Metric";
  data: { name: string; type: MetricType; contains?: string; thresholds?: string[] | null };
}
interface K6PointLine {
  type: "Point";
  metric: string;
  data: { time: string; value: number; tags?: Record<string, unknown> | null };
}

const UNIT_BY_CONTAINS: Readonly<Record<string, string>> = { time: "ms", data: "bytes", default: "" };
const TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "rate", "trend"]);

/**
 * Reads k6's NDJSON output (`k6 run --out json=...`) into a timeline, one line at a time.
 * `Metric` lines define metrics (type; unit ms for `contains: time`, bytes for `data`);
 * `Point` lines record samples at run-clock ms: a trend value, a counter increment, a rate check
 * (non-zero = true, as k6) or a gauge value. Point tags become series tags (strings).
 */
export class K6Ingester {
  readonly #source: string;
  readonly #drop: ReadonlySet<string>;
  readonly #series = new Map<string, Series>();
  readonly #types = new Map<string, MetricType>();
  readonly #clock: { nowMs: () => number; wallAnchorMs: number };
  readonly timeline: Timeline;
  readonly thresholds: Record<string, string[]> = {};
  /** Run clock 0 as whole epoch ms plus a fraction of a second in ms, kept apart for sub-µs precision. */
  #anchor: TimeParts | undefined;
  #lineNo = 0;
  #lastMs = 0;
  points = 0;

  constructor(options: K6IngestOptions = {}) {
    this.#source = options.source ?? "k6 output";
    this.#drop = new Set(options.dropTags ?? []);
    this.#clock = { nowMs: () => this.#lastMs, wallAnchorMs: 0 };
    if (options.timeline) {
      this.timeline = options.timeline;
      this.#anchor = { wholeMs: options.timeline.clock.wallAnchorMs, fractionMs: 0 };
    } else {
      const clock: Clock = this.#clock;
      this.timeline = new Timeline({
        clock,
        intervalMs: options.intervalMs ?? 1000,
        ...(options.runId ? { runId: options.runId } : {}),
      });
    }
  }

  /** Epoch ms of run clock 0 (undefined until the first point of a new timeline). */
  get wallAnchorMs(): number | undefined {
    return this.#anchor && this.#anchor.wholeMs + this.#anchor.fractionMs;
  }

  /** Read one NDJSON line. */
  line(text: string): void {
    this.#lineNo++;
    const trimmed = text.trim();
    if (trimmed === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw this.#error("is not JSON", cause);
    }
    const rec = parsed as { type?: unknown };
    if (rec.type === "Metric") this.#metric(parsed as K6MetricLine);
    else if (rec.type === "Point") this.#point(parsed as K6PointLine);
    // Other line types (future k6 versions) carry no samples.
  }

  /** Mark the end of the data and return the result. */
  finish(): K6Ingest {
    this.timeline.close(this.#lastMs);
    return {
      timeline: this.timeline,
      thresholds: this.thresholds,
      points: this.points,
      wallAnchorMs: this.wallAnchorMs ?? 0,
    };
  }

  #metric(m: K6MetricLine): void {
    const d = m.data;
    if (!d || typeof d.name !== "string" || !TYPES.has(d.type))
      throw this.#error("is a Metric line without name and type");
    this.#types.set(d.name, d.type);
    this.timeline.define(d.name, d.type, UNIT_BY_CONTAINS[d.contains ?? "default"] ?? "");
    if (Array.isArray(d.thresholds) && d.thresholds.length > 0) this.thresholds[d.name] = [...d.thresholds];
  }

  #point(p: K6PointLine): void {
    const d = p.data;
    if (!d || typeof d.time !== "string" || typeof d.value !== "number") {
      throw this.#error("is a Point line without time and value");
    }
    const type = this.#types.get(p.metric);
    if (!type) throw this.#error(`is a Point of ${p.metric}, which no Metric line defined before`);
    const time = parseTimeParts(d.time);
    if (time === undefined) throw this.#error(`has an unreadable time '${d.time}'`);
    if (this.#anchor === undefined) {
      this.#anchor = time;
      this.#clock.wallAnchorMs = time.wholeMs + time.fractionMs;
    }
    const atMs = Math.max(0, time.wholeMs - this.#anchor.wholeMs + (time.fractionMs - this.#anchor.fractionMs));
    if (atMs > this.#lastMs) this.#lastMs = atMs;

    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.tags ?? {})) {
      if (!this.#drop.has(k) && v !== null && v !== undefined) tags[k] = String(v);
    }
    const key = `${p.metric}\u0000${JSON.stringify(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    let series = this.#series.get(key);
    if (!series) {
      series = this.timeline.series(p.metric, type, tags, this.timeline.metrics.get(p.metric)?.unit ?? "");
      this.#series.set(key, series);
    }
    switch (type) {
      case "trend":
        series.trend(d.value, atMs);
        break;
      case "counter":
        series.count(d.value, atMs);
        break;
      case "rate":
        series.rate(d.value !== 0, atMs);
        break;
      case "gauge":
        series.gauge(d.value, atMs);
        break;
    }
    this.points++;
  }

  #error(what: string, cause?: unknown): HarnessError {
    return new HarnessError("HARNESS_RUN_INVALID", `${this.#source}:${this.#lineNo}: line ${what}`, {
      hint: "pass the file k6 wrote with --out json=<file> (NDJSON, optionally gzipped)",
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** Ingest k6 NDJSON lines already in memory. */
export function ingestK6Lines(lines: Iterable<string>, options: K6IngestOptions = {}): K6Ingest {
  const ingester = new K6Ingester(options);
  for (const l of lines) ingester.line(l);
  return ingester.finish();
}

/** Ingest a k6 NDJSON file (gunzipped on the fly when it ends in `.gz`), streamed line by line. */
export async function ingestK6File(path: string, options: K6IngestOptions = {}): Promise<K6Ingest> {
  const ingester = new K6Ingester({ source: path, ...options });
  const file = createReadStream(path);
  const input = path.endsWith(".gz") ? file.pipe(createGunzip()) : file;
  file.on("error", (e) => input.destroy(e));
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const l of rl) ingester.line(l);
  return ingester.finish();
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A time as whole-second epoch ms plus the fraction of the second in ms (nanosecond digits kept). */
export interface TimeParts {
  wholeMs: number;
  fractionMs: number;
}

/** RFC 3339 with nanoseconds (k6's `time`), split so differences keep sub-µs precision. */
export function parseTimeParts(text: string): TimeParts | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const wholeMs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(wholeMs)) return undefined;
  return { wholeMs, fractionMs: m[2] ? Number(`0${m[2]}`) * 1000 : 0 };
}

/** RFC 3339 with nanoseconds to epoch ms (a double: about 0.2 µs resolution today). */
export function parseTimeMs(text: string): number | undefined {
  const t = parseTimeParts(text);
  return t && t.wholeMs + t.fractionMs;
}
