import type { Timeline } from "../timeline/index.ts";
import { buildChecks, certainlyFails, type EvaluateOptions, judge, measure } from "./evaluate.ts";
import { type ParsedThreshold, parseThresholds, type ThresholdsConfig } from "./parse.ts";
import type { ThresholdResult } from "./types.ts";

/** What a periodic abort check found. */
export interface AbortDecision {
  /** Stop the run now. */
  abort: boolean;
  /** The abortOnFail thresholds that failed and were past their delayAbortEval. */
  breached: ThresholdResult[];
}

/**
 * Check the abortOnFail thresholds at run-clock `nowMs`, as k6 does every 2 s during a run:
 * thresholds without abortOnFail are skipped; one within its `delayAbortEval` is skipped
 * (k6: aborts only once the delay is below the time spent); one not measured yet is skipped
 * (k6 ignores empty sinks during the run); a check still waiting for its event (not recovered
 * yet) aborts only if the threshold fails whatever comes later.
 * Parse `thresholds` once beforehand (parseThresholds) when calling this often.
 */
export function checkAbort(
  timeline: Timeline,
  thresholds: ThresholdsConfig | readonly ParsedThreshold[],
  nowMs: number,
  options: Pick<EvaluateOptions, "checkParams" | "scenarioFile"> = {},
): AbortDecision {
  const parsed = Array.isArray(thresholds)
    ? (thresholds as readonly ParsedThreshold[])
    : parseThresholds(thresholds as ThresholdsConfig, { scenarioFile: options.scenarioFile });
  const candidates = parsed.filter(
    (t) => t.abortOnFail && !(t.delayAbortEvalMs !== undefined && nowMs <= t.delayAbortEvalMs),
  );
  if (candidates.length === 0) return { abort: false, breached: [] };
  const built = buildChecks(options.checkParams);
  const breached: ThresholdResult[] = [];
  for (const t of candidates) {
    const m = measure(timeline, t, built, nowMs);
    if (certainlyFails(t, m)) breached.push({ ...judge(t, m), status: "fail" });
  }
  return { abort: breached.length > 0, breached };
}

/** True when an abortOnFail threshold has failed past its delayAbortEval (see checkAbort). */
export function shouldAbort(
  timeline: Timeline,
  thresholds: ThresholdsConfig | readonly ParsedThreshold[],
  nowMs: number,
  options: Pick<EvaluateOptions, "checkParams" | "scenarioFile"> = {},
): boolean {
  return checkAbort(timeline, thresholds, nowMs, options).abort;
}
