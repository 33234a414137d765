import type { Fault, ScheduledFault } from "../faults/index.ts";
import type { ExecutorConfig } from "../load/executors/index.ts";
import type { RequestTemplate } from "../load/http/template.ts";
import type { Probe } from "../probes/probe.ts";
import type { ThresholdSpec } from "../verdict/parse.ts";

export type { ThresholdSpec };

/** Where the load goes: a service's container port, published on 127.0.0.1. */
export interface TargetSpec {
  service: string;
  port: number;
}

/** The load of a scenario: one executor (k6's names and options) over a weighted request mix. */
export interface LoadSpec {
  executor: ExecutorConfig;
  requests: RequestTemplate[];
  /** Per-request timeout, ms. Default 5000. */
  timeoutMs?: number;
  /** Keep-alive connections to the target. Default 64. */
  connections?: number;
  /**
   * A request sent more than this many ms after its intended time counts as late; over 5% late
   * makes the run invalid. Latency is measured from the intended time either way. Default 10.
   */
  lateAfterMs?: number;
}

/** Read back every acknowledged write after recovery; a write that cannot be read back is lost. */
export interface LostWritesVerify {
  /** The read path with `{id}` for the acknowledged id: `/orders/{id}`. */
  readPath: string;
  /** Reads in flight at once. Default 16. */
  concurrency?: number;
  /** A read answering 404 is a lost write; any other failure is retried this many times, then indeterminate. Default 3. */
  retries?: number;
}

/** Parameters of the resilience metrics (recovery_time, error_budget_burn, ...). */
export interface RecoverySpec {
  /** The error rate per interval that counts as healthy again. Default 0.01. */
  maxErrorRate?: number;
  /** How long it must hold to count as recovered. Default `5s`. */
  holdFor?: string;
  /** After the last fault is reverted, keep the load on this long to watch recovery. Default `20s`. */
  watch?: string;
}

/** What a user declares in `scenarios/<name>.ts`. Everything is data; faults and probes come from factories. */
export interface ScenarioSpec {
  /** The CLI word, `harness run <name>`: the file name without `.ts`. */
  name: string;
  /** One line for `harness list`. */
  description: string;
  /** The compose file, relative to the working directory. Default `compose.yaml`. */
  compose?: string;
  profiles?: string[];
  /** Variables for the compose file's `${VAR:-default}` (the target's switches); `--env` overrides. */
  env?: Record<string, string>;
  /** The service and container port the load is sent to. */
  target: TargetSpec;
  /** The run's Toxiproxy API. Default `{ service: "toxiproxy", port: 8474 }` when the topology has that service. */
  toxiproxy?: TargetSpec | false;
  /** Load before this much time is the `warmup` phase and counts for no threshold of other phases. Default `10s`. */
  warmup?: string;
  load: LoadSpec;
  faults?: ScheduledFault[];
  /**
   * Faults that are the run's normal state rather than the event under test (a slow origin for a
   * stampede): injected before the load starts, reverted after it, opening no phase.
   */
  conditions?: Fault[];
  probes?: Probe[];
  recovery?: RecoverySpec;
  /** k6 thresholds: metric (with `{tag:value}` filters, `phase` among them) -> expressions. */
  thresholds: Record<string, ThresholdSpec[]>;
  verify?: { lostWrites?: LostWritesVerify };
}

const BRAND = Symbol.for("harness.scenario");

/** A scenario as loaded: the spec, branded, with the file it came from once loaded. */
export type Scenario = ScenarioSpec & { readonly [BRAND]: true; file?: string };

/** Declare a scenario; the default export of `scenarios/<name>.ts`. Validation happens when it is planned. */
export function defineScenario(spec: ScenarioSpec): Scenario {
  return { ...spec, [BRAND]: true };
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
