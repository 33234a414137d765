/** k6's four metric types, with k6's meaning. */
export type MetricType = "counter" | "gauge" | "rate" | "trend";

export type Tags = Readonly<Record<string, string>>;

export interface MetricInfo {
  type: MetricType;
  /** "ms" for durations, "bytes", "" for plain numbers. Trend values are recorded at 1/1000 of this unit. */
  unit: string;
}

/** What happened at a moment: phase marks, fault inject / revert, container state, probe notes. */
export interface TimelineEvent {
  /** ms on the run clock. */
  atMs: number;
  /** `phase`, `fault.inject`, `fault.revert`, `container`, `probe`, `run`, `validity`, ... */
  kind: string;
  /** Phase name, fault id, container name... */
  name: string;
  data?: Record<string, unknown>;
}

export interface TrendBucketJSON {
  t: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  /** HdrHistogram compressed base64 of value*1000 (integers). */
  hist: string;
}
export interface CounterBucketJSON {
  t: number;
  sum: number;
}
export interface RateBucketJSON {
  t: number;
  passes: number;
  total: number;
}
export interface GaugeBucketJSON {
  t: number;
  last: number;
  min: number;
  max: number;
}
export type BucketJSON = TrendBucketJSON | CounterBucketJSON | RateBucketJSON | GaugeBucketJSON;

export interface SeriesJSON {
  metric: string;
  tags: Record<string, string>;
  buckets: BucketJSON[];
}

/** The timeline as written to `reports/<run-id>/timeline.json`. */
export interface TimelineJSON {
  format: "harness.timeline/v1";
  runId: string;
  /** ISO wall-clock time of run clock 0. */
  startedAt: string;
  intervalMs: number;
  /** Run clock ms of the last thing recorded (or of close()). */
  endMs: number;
  metrics: Record<string, MetricInfo>;
  series: SeriesJSON[];
  events: TimelineEvent[];
}
