import type { DurationInput } from "./executors/executor.ts";
import type { ExecutorConfig } from "./executors/index.ts";
import type { StopCondition } from "./stop-condition.ts";

/** A load shape: an executor and, for stress, a stop condition. Spread it into startLoad's options. */
export interface LoadShape {
  shape: "load" | "spike" | "stress" | "soak";
  executor: ExecutorConfig;
  stopWhen?: StopCondition;
}

/** Steady load: `rate` requests/s for `duration` (constant-arrival-rate). */
export function load(o: { rate: number; duration: DurationInput; maxVUs?: number }): LoadShape {
  return {
    shape: "load",
    executor: { executor: "constant-arrival-rate", rate: o.rate, duration: o.duration, ...vus(o.maxVUs) },
  };
}

/**
 * A spike: `rate` requests/s for `before`, then `factor` times that for `spikeFor`, then `rate`
 * again for `after` (jumps are instant: zero-length stages).
 */
export function spike(o: {
  rate: number;
  factor: number;
  before: DurationInput;
  spikeFor: DurationInput;
  after: DurationInput;
  maxVUs?: number;
}): LoadShape {
  const high = o.rate * o.factor;
  return {
    shape: "spike",
    executor: {
      executor: "ramping-arrival-rate",
      startRate: o.rate,
      stages: [
        { duration: o.before, target: o.rate },
        { duration: 0, target: high },
        { duration: o.spikeFor, target: high },
        { duration: 0, target: o.rate },
        { duration: o.after, target: o.rate },
      ],
      ...vus(o.maxVUs),
    },
  };
}

/**
 * Stress: ramp the arrival rate from `from` to `to` requests/s over `rampFor` and stop when
 * `stopWhen` trips; the result's `breakingPoint` is the offered rate at that moment.
 * Default stop: p99 above 1000 ms or more than 5% errors, two intervals running.
 */
export function stress(o: {
  from?: number;
  to: number;
  rampFor: DurationInput;
  stopWhen?: StopCondition;
  maxVUs?: number;
}): LoadShape {
  return {
    shape: "stress",
    executor: {
      executor: "ramping-arrival-rate",
      startRate: o.from ?? 1,
      stages: [{ duration: o.rampFor, target: o.to }],
      ...vus(o.maxVUs),
    },
    stopWhen: o.stopWhen ?? { p99AboveMs: 1000, errorRateAbove: 0.05, forIntervals: 2 },
  };
}

/** Soak: a long steady rate (watch drift: latency slope, memory, connections). */
export function soak(o: { rate: number; duration: DurationInput; maxVUs?: number }): LoadShape {
  return { ...load(o), shape: "soak" };
}

function vus(maxVUs: number | undefined): { maxVUs?: number } {
  return maxVUs === undefined ? {} : { maxVUs };
}
