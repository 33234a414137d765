import { formatDurationMs, tryParseDurationMs } from "../../scenario/duration.ts";
import {
  DEFAULT_GRACEFUL_STOP_MS,
  type DurationInput,
  type ExecutorKind,
  type ExecutorPlan,
  formatRate,
  MAX_RATE_PER_S,
  Problems,
  perSecond,
  requestsUntil,
  type Stage,
  stagePoints,
} from "./executor.ts";

/**
 * k6's ramping-arrival-rate: the arrival rate moves linearly from `startRate` through each
 * stage's `target` (requests per `timeUnit`). A stage of duration 0 is a jump.
 */
export interface RampingArrivalRateConfig {
  executor: "ramping-arrival-rate";
  /** Requests per timeUnit at the start. Default 0. */
  startRate?: number;
  /** Default `1s`. */
  timeUnit?: DurationInput;
  stages: Stage[];
  /** At most this many requests in flight; beyond it arrivals are dropped. Default: 10 s at the peak rate, at least 100. */
  maxVUs?: number;
  /** Default `30s`. */
  gracefulStop?: DurationInput;
}

const KNOWN = ["executor", "startRate", "timeUnit", "stages", "maxVUs", "gracefulStop"] as const;

export const rampingArrivalRate: ExecutorKind<RampingArrivalRateConfig> = {
  name: "ramping-arrival-rate",
  model: "open",
  validate(config) {
    const p = new Problems("ramping-arrival-rate");
    p.unknownKeys(config, KNOWN);
    p.number("startRate", config.startRate, { required: false, min: 0 });
    const unitMs = p.duration("timeUnit", config.timeUnit, false) ?? 1000;
    const stages = p.stages(config.stages, false);
    const peak = Math.max(config.startRate ?? 0, ...(stages ?? []).map((s) => s.target));
    if (perSecond(peak, unitMs) > MAX_RATE_PER_S) {
      p.add(
        "stages",
        `peak at ${formatRate(perSecond(peak, unitMs))}, above the ceiling of ${formatRate(MAX_RATE_PER_S)}`,
      );
    }
    if (stages && (config.startRate ?? 0) === 0 && stages.every((s) => s.target === 0)) {
      p.add("stages", "never rise above rate 0: nothing would be sent");
    }
    p.number("maxVUs", config.maxVUs, { required: false, min: 1, integer: true });
    p.duration("gracefulStop", config.gracefulStop, false, true);
    return p.list;
  },
  plan(config): ExecutorPlan {
    const timeUnitMs = tryParseDurationMs(config.timeUnit ?? "1s")!;
    const stages = config.stages.map((s) => ({
      durationMs: tryParseDurationMs(s.duration)!,
      target: perSecond(s.target, timeUnitMs),
    }));
    const points = stagePoints(perSecond(config.startRate ?? 0, timeUnitMs), stages);
    const durationMs = points[points.length - 1]!.atMs;
    const peak = Math.max(...points.map((q) => q.value));
    const plannedRequests = Math.ceil(requestsUntil(points, durationMs) - 1e-9);
    const maxInFlight = config.maxVUs ?? Math.max(100, Math.ceil(peak * 10));
    const path = points.map((q) => formatRate(q.value)).join(" -> ");
    return {
      executor: "ramping-arrival-rate",
      model: "open",
      durationMs,
      points,
      plannedRequests,
      peak,
      maxInFlight,
      gracefulStopMs: tryParseDurationMs(config.gracefulStop ?? DEFAULT_GRACEFUL_STOP_MS)!,
      summary: `ramping-arrival-rate ${path} over ${formatDurationMs(durationMs)} (${plannedRequests} requests, at most ${maxInFlight} in flight)`,
    };
  },
};
