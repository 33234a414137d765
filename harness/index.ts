/**
 * The public API of harness: what a scenario file imports. Everything else is internal.
 *
 *   import { defineScenario, fault, probe, zipf } from "harness";
 */
export { ExitCode, HarnessError, type HarnessErrorCode, isHarnessError } from "./errors.ts";
export { type Fault, fault, type ScheduledFault } from "./faults/index.ts";
export {
  type Distribution,
  type ExecutorConfig,
  hotKeys,
  load,
  oneOf,
  type RequestTemplate,
  sequential,
  soak,
  spike,
  stress,
  uniform,
  zipf,
} from "./load/index.ts";
export { type Probe, probe } from "./probes/index.ts";
export {
  defineScenario,
  type LoadSpec,
  type LostWritesVerify,
  type RecoverySpec,
  type Scenario,
  type ScenarioSpec,
  type TargetSpec,
  type ThresholdSpec,
} from "./scenario/define.ts";
export { type Clock, Timeline, type TimelineJSON } from "./timeline/index.ts";
export type { ThresholdResult, Verdict } from "./verdict/types.ts";
