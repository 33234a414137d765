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
} from "./executor.ts";

/**
 * k6's constant-arrival-rate: `rate` requests per `timeUnit`, for `duration`, whatever the
 * server does (open model). Latency is measured from each request's intended send time.
 */
export interface ConstantArrivalRateConfig {
  executor: "constant-arrival-rate";
  /** Requests per timeUnit; > 0. */
  rate: number;
  /** Default `1s`. */
  timeUnit?: DurationInput;
  duration: DurationInput;
  /** At most this many requests in flight; an arrival beyond it is dropped and counted (k6's maxVUs). Default: 10 s of arrivals at the rate, at least 100. */
  maxVUs?: number;
  /** Time in-flight requests get to finish after the planned end. Default `30s`. */
  gracefulStop?: DurationInput;
}

const KNOWN = ["executor", "rate", "timeUnit", "duration", "maxVUs", "gracefulStop"] as const;

export const constantArrivalRate: ExecutorKind<ConstantArrivalRateConfig> = {
  name: "constant-arrival-rate",
  model: "open",
  validate(config) {
    const p = new Problems("constant-arrival-rate");
    p.unknownKeys(config, KNOWN);
    const rate = p.number("rate", config.rate, { required: true, min: 0 });
    if (rate === 0) p.add("rate", "must be above 0");
    const unitMs = p.duration("timeUnit", config.timeUnit, false) ?? 1000;
    p.duration("duration", config.duration, true);
    if (rate !== undefined && perSecond(rate, unitMs) > MAX_RATE_PER_S) {
      p.add("rate", `is ${formatRate(perSecond(rate, unitMs))}, above the ceiling of ${formatRate(MAX_RATE_PER_S)}`);
    }
    p.number("maxVUs", config.maxVUs, { required: false, min: 1, integer: true });
    p.duration("gracefulStop", config.gracefulStop, false, true);
    return p.list;
  },
  plan(config): ExecutorPlan {
    const timeUnitMs = tryParseDurationMs(config.timeUnit ?? "1s")!;
    const durationMs = tryParseDurationMs(config.duration)!;
    const r = perSecond(config.rate, timeUnitMs);
    const points = [
      { atMs: 0, value: r },
      { atMs: durationMs, value: r },
    ];
    const plannedRequests = Math.ceil(requestsUntil(points, durationMs) - 1e-9);
    const maxInFlight = config.maxVUs ?? Math.max(100, Math.ceil(r * 10));
    return {
      executor: "constant-arrival-rate",
      model: "open",
      durationMs,
      points,
      plannedRequests,
      peak: r,
      maxInFlight,
      gracefulStopMs: tryParseDurationMs(config.gracefulStop ?? DEFAULT_GRACEFUL_STOP_MS)!,
      summary: `constant-arrival-rate ${formatRate(r)} for ${formatDurationMs(durationMs)} (${plannedRequests} requests, at most ${maxInFlight} in flight)`,
    };
  },
};
