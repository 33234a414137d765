import { type ConstantArrivalRateConfig, constantArrivalRate } from "./constant-arrival-rate.ts";
import { type ConstantVusConfig, constantVus } from "./constant-vus.ts";
import type { ExecutorKind, ExecutorName, ExecutorPlan } from "./executor.ts";
import { type RampingArrivalRateConfig, rampingArrivalRate } from "./ramping-arrival-rate.ts";
import { type RampingVusConfig, rampingVus } from "./ramping-vus.ts";

export type { ConstantArrivalRateConfig } from "./constant-arrival-rate.ts";
export type { ConstantVusConfig } from "./constant-vus.ts";
export type { ExecutorName, ExecutorPlan, LoadModel, PlanPoint, Stage } from "./executor.ts";
export type { RampingArrivalRateConfig } from "./ramping-arrival-rate.ts";
export type { RampingVusConfig } from "./ramping-vus.ts";

/** Any executor config, told apart by `executor` (the k6 name). */
export type ExecutorConfig =
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig
  | ConstantVusConfig
  | RampingVusConfig;

/** The catalogue: k6 name -> executor kind. */
export const executors: Record<ExecutorName, ExecutorKind<never>> = {
  "constant-arrival-rate": constantArrivalRate as ExecutorKind<never>,
  "ramping-arrival-rate": rampingArrivalRate as ExecutorKind<never>,
  "constant-vus": constantVus as ExecutorKind<never>,
  "ramping-vus": rampingVus as ExecutorKind<never>,
};

/** Every problem with an executor config (empty when it can run). */
export function validateExecutor(config: unknown): string[] {
  if (typeof config !== "object" || config === null) return ["executor must be an object with an `executor` name"];
  const name = (config as { executor?: unknown }).executor;
  const kind = typeof name === "string" ? executors[name as ExecutorName] : undefined;
  if (!kind) {
    return [`executor ${JSON.stringify(name)} is unknown (known: ${Object.keys(executors).join(", ")})`];
  }
  return kind.validate(config as never);
}

/** The plan of a valid executor config (call validateExecutor first). */
export function planExecutor(config: ExecutorConfig): ExecutorPlan {
  return executors[config.executor].plan(config as never);
}
