import { formatDurationMs, tryParseDurationMs } from "../../scenario/duration.ts";
import {
  DEFAULT_GRACEFUL_STOP_MS,
  type DurationInput,
  type ExecutorKind,
  type ExecutorPlan,
  Problems,
  type Stage,
  stagePoints,
} from "./executor.ts";

/**
 * k6's ramping-vus: the number of VUs moves linearly from `startVUs` through each stage's
 * `target`. A VU above the target finishes its request and leaves (k6's graceful ramp-down).
 */
export interface RampingVusConfig {
  executor: "ramping-vus";
  /** Default 1. */
  startVUs?: number;
  stages: Stage[];
  /** Default `30s`. */
  gracefulStop?: DurationInput;
}

const KNOWN = ["executor", "startVUs", "stages", "gracefulStop"] as const;

export const rampingVus: ExecutorKind<RampingVusConfig> = {
  name: "ramping-vus",
  model: "closed",
  validate(config) {
    const p = new Problems("ramping-vus");
    p.unknownKeys(config, KNOWN);
    p.number("startVUs", config.startVUs, { required: false, min: 0, integer: true });
    p.stages(config.stages, true);
    p.duration("gracefulStop", config.gracefulStop, false, true);
    return p.list;
  },
  plan(config): ExecutorPlan {
    const stages = config.stages.map((s) => ({ durationMs: tryParseDurationMs(s.duration)!, target: s.target }));
    const points = stagePoints(config.startVUs ?? 1, stages);
    const durationMs = points[points.length - 1]!.atMs;
    const peak = Math.max(...points.map((q) => q.value));
    return {
      executor: "ramping-vus",
      model: "closed",
      durationMs,
      points,
      plannedRequests: undefined,
      peak,
      maxInFlight: peak,
      gracefulStopMs: tryParseDurationMs(config.gracefulStop ?? DEFAULT_GRACEFUL_STOP_MS)!,
      summary: `ramping-vus ${points.map((q) => q.value).join(" -> ")} VUs over ${formatDurationMs(durationMs)} (closed model)`,
    };
  },
};
