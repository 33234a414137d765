export { type AbortDecision, checkAbort, shouldAbort } from "./abort.ts";
export { type Check, type CheckContext, type CheckFactory, type CheckResult, checks } from "./checks/index.ts";
export { buildChecks, type EvaluateOptions, evaluate, type Measurement } from "./evaluate.ts";
export {
  type AggregationMethod,
  type MetricSelector,
  type ParsedThreshold,
  parseThresholdExpression,
  parseThresholds,
  type ThresholdExpression,
  type ThresholdOperator,
  type ThresholdSpec,
  type ThresholdsConfig,
} from "./parse.ts";
export type { ThresholdResult, ThresholdStatus, Verdict, VerdictStatus } from "./types.ts";
export { decideVerdict, exitCodeFor, type RunValidity } from "./verdict.ts";
export { phaseWindows } from "./windows.ts";
