/** The outcome of one threshold, as the reports show it. */
export type ThresholdStatus = "pass" | "fail" | "not_measured";

export interface ThresholdResult {
  /** The metric with its filters as written: `http_req_duration{phase:recovery}`. */
  metric: string;
  /** The expression as written: `p(99)<2000`. */
  expression: string;
  status: ThresholdStatus;
  /** The number the expression was judged on (absent when not measured). */
  observed?: number;
  /** Unit of `observed` ("ms", "s", "", "rate", "count"). */
  unit?: string;
  /** Why: "no samples in phase recovery", "metric lost_writes was never recorded", ... */
  reason?: string;
  abortOnFail?: boolean;
  /** True when the real value is at least `observed`, possibly never reached (e.g. never recovered). */
  observedAtLeast?: boolean;
  /** How a resilience check got its number, one sentence ("leader db1 -> db2 at 31.2 s, ..."). */
  detail?: string;
}

/** The run's overall verdict. `invalid` when the generator could not keep up or something was not measured. */
export type VerdictStatus = "pass" | "fail" | "invalid" | "aborted";

export interface Verdict {
  status: VerdictStatus;
  thresholds: ThresholdResult[];
  /** Reasons the run is invalid (generator saturated, ...), empty when valid. */
  invalidReasons: string[];
}
