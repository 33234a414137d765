import { formatDurationMs, tryParseDurationMs } from "../../scenario/duration.ts";
import {
  DEFAULT_GRACEFUL_STOP_MS,
  type DurationInput,
  type ExecutorKind,
  type ExecutorPlan,
  Problems,
} from "./executor.ts";

/**
 * k6's constant-vus: `vus` virtual users each send a request, wait for its answer and send the
 * next, for `duration` (closed model: a slow server slows the load, so it hides stalls).
 */
export interface ConstantVusConfig {
  executor: "constant-vus";
  /** Virtual users (connections kept busy). Default 1. */
  vus?: number;
  duration: DurationInput;
  /** Default `30s`. */
  gracefulStop?: DurationInput;
}

const KNOWN = ["executor", "vus", "duration", "gracefulStop"] as const;

export const constantVus: ExecutorKind<ConstantVusConfig> = {
  name: "constant-vus",
  model: "closed",
  validate(config) {
    const p = new Problems("constant-vus");
    p.unknownKeys(config, KNOWN);
    p.number("vus", config.vus, { required: false, min: 1, integer: true });
    p.duration("duration", config.duration, true);
    p.duration("gracefulStop", config.gracefulStop, false, true);
    return p.list;
  },
  plan(config): ExecutorPlan {
    const vus = config.vus ?? 1;
    const durationMs = tryParseDurationMs(config.duration)!;
    return {
      executor: "constant-vus",
      model: "closed",
      durationMs,
      points: [
        { atMs: 0, value: vus },
        { atMs: durationMs, value: vus },
      ],
      plannedRequests: undefined,
      peak: vus,
      maxInFlight: vus,
      gracefulStopMs: tryParseDurationMs(config.gracefulStop ?? DEFAULT_GRACEFUL_STOP_MS)!,
      summary: `constant-vus ${vus} VUs for ${formatDurationMs(durationMs)} (closed model)`,
    };
  },
};
