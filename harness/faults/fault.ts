import { HarnessError } from "../errors.ts";
import type { Timeline } from "../timeline/index.ts";

/**
 * The part of a started topology faults use. A `StartedTopology` (harness/topology) satisfies it;
 * tests may pass a smaller fake.
 */
export interface FaultTopology {
  endpoint(service: string, containerPort: number): { host: string; port: number; url(path?: string): string };
  container(service: string): FaultContainer;
}

/** The container operations faults use (a subset of the topology's `ServiceContainer`). */
export interface FaultContainer {
  readonly service: string;
  kill(signal?: string): Promise<void>;
  stop(timeoutS?: number): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  exec(cmd: string[], opts?: { timeoutMs?: number }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  inspect(): Promise<{ status: string; running: boolean; paused: boolean; health?: string }>;
  disconnect(network: string): Promise<void>;
  connect(network: string): Promise<void>;
}

/** What a fault needs to act: the run's topology, its Toxiproxy API and its timeline. */
export interface FaultContext {
  topology: FaultTopology;
  /** `http://127.0.0.1:PORT` of the run's Toxiproxy API. */
  toxiproxyUrl: string;
  timeline: Timeline;
  signal?: AbortSignal;
}

/** Why a fault was reverted (the `reason` of the `fault.revert` event). */
export type RevertReason = "scheduled" | "recovered" | "abort" | "error" | "signal";

/** One problem in a fault's configuration: the option at fault and what is wrong with it. */
export interface FaultProblem {
  fault: string;
  option: string;
  message: string;
}

/**
 * A fault's configuration. It validates itself (every problem at once), describes itself, and
 * injects into a running topology. Injecting returns the handle that heals it.
 */
export interface Fault {
  /** Unique in a scenario; names the timeline events. Default `<kind>-<target>`. */
  readonly id: string;
  /** The catalog word: `latency`, `link-down`, `kill`, `kill-leader`, `expire-keys`, ... */
  readonly kind: string;
  /** What it hits: a link (Toxiproxy proxy), a service, or a list of members. */
  readonly target: string;
  /** Every problem with the options; empty when the fault can be injected. */
  validate(): FaultProblem[];
  /** One line for `harness plan`: what it does, with units. */
  describe(): string;
  /** The options as recorded in the `fault.inject` event (units in the names). */
  params(): Record<string, unknown>;
  /** Apply the fault; the returned handle's `revert` heals it. Throws HarnessError HARNESS_FAULT_FAILED. */
  inject(ctx: FaultContext): Promise<InjectedFault>;
}

/** An applied fault. `revert` heals it once (later calls return the same result); disposing reverts with "abort". */
export interface InjectedFault extends AsyncDisposable {
  readonly fault: Fault;
  /** Run clock ms when the fault took effect. */
  readonly injectedAtMs: number;
  /** Run clock ms when the revert took effect, once it has. */
  readonly revertedAtMs: number | undefined;
  readonly reverted: boolean;
  revert(reason: RevertReason): Promise<void>;
}

/** What a kind does when applied: extra event data, and how to heal. */
export interface Applied {
  /** Extra data for the `fault.inject` event (e.g. the leader that was killed). */
  data?: Record<string, unknown>;
  /** Heals the fault; called at most once per successful call. */
  heal(ctx: FaultContext): Promise<void>;
}

/** Throw HARNESS_CONFIG_INVALID listing every problem of these faults, if any. */
export function assertValidFaults(faults: readonly Fault[]): void {
  const problems = faults.flatMap((f) => f.validate());
  const ids = new Set<string>();
  for (const f of faults) {
    if (ids.has(f.id)) problems.push({ fault: f.id, option: "id", message: "is used by another fault" });
    ids.add(f.id);
  }
  if (problems.length > 0) {
    throw new HarnessError(
      "HARNESS_CONFIG_INVALID",
      `invalid fault configuration: ${problems.map((p) => `${p.fault}.${p.option} ${p.message}`).join("; ")}`,
      { hint: "fix the fault options in the scenario file" },
    );
  }
}

/**
 * The shared half of every fault kind: validation on inject, the `fault.inject` / `fault.revert`
 * events at the moment each takes effect, and an idempotent revert. A kind supplies `check`,
 * `describe`, `params` and `apply`.
 */
export abstract class BaseFault implements Fault {
  abstract readonly kind: string;
  abstract readonly target: string;
  readonly #id: string | undefined;

  constructor(id: string | undefined) {
    this.#id = id;
  }

  /** The given id, else `<kind>-<target>`. */
  get id(): string {
    return this.#id ?? `${this.kind}-${this.target}`;
  }

  /** Problems with the kind's own options (messages only; the option name goes first). */
  protected abstract check(problem: (option: string, message: string) => void): void;
  abstract describe(): string;
  abstract params(): Record<string, unknown>;
  protected abstract apply(ctx: FaultContext): Promise<Applied>;

  protected get label(): string {
    return this.id;
  }

  validate(): FaultProblem[] {
    const problems: FaultProblem[] = [];
    const problem = (option: string, message: string): void => {
      problems.push({ fault: this.label, option, message });
    };
    if (this.#id !== undefined && !/^[A-Za-z0-9_.-]+$/.test(this.#id))
      problem("id", "may hold only letters, digits, _ . -");
    this.check(problem);
    return problems;
  }

  async inject(ctx: FaultContext): Promise<InjectedFault> {
    assertValidFaults([this]);
    if (ctx.signal?.aborted) {
      throw new HarnessError("HARNESS_INTERRUPTED", `fault ${this.label} not injected: the run was aborted`);
    }
    let applied: Applied;
    try {
      applied = await this.apply(ctx);
    } catch (cause) {
      throw asFaultError(cause, `could not inject ${this.label} (${this.describe()})`);
    }
    const injectedAtMs = ctx.timeline.clock.nowMs();
    ctx.timeline.event(
      "fault.inject",
      this.label,
      { kind: this.kind, target: this.target, ...this.params(), ...applied.data },
      injectedAtMs,
    );
    return new Injected(this, this.label, ctx, applied, injectedAtMs);
  }
}

class Injected implements InjectedFault {
  readonly fault: Fault;
  readonly injectedAtMs: number;
  revertedAtMs: number | undefined;
  readonly #label: string;
  readonly #ctx: FaultContext;
  readonly #applied: Applied;
  #reverting: Promise<void> | undefined;

  constructor(fault: Fault, label: string, ctx: FaultContext, applied: Applied, injectedAtMs: number) {
    this.fault = fault;
    this.#label = label;
    this.#ctx = ctx;
    this.#applied = applied;
    this.injectedAtMs = injectedAtMs;
  }

  get reverted(): boolean {
    return this.revertedAtMs !== undefined;
  }

  revert(reason: RevertReason): Promise<void> {
    this.#reverting ??= this.#heal(reason).catch((cause: unknown) => {
      // A failed heal may be retried by a later call.
      this.#reverting = undefined;
      throw asFaultError(cause, `could not revert ${this.#label} (${this.fault.describe()})`);
    });
    return this.#reverting;
  }

  async #heal(reason: RevertReason): Promise<void> {
    // The heal runs even when the run's signal has fired: reverts always run.
    await this.#applied.heal({ ...this.#ctx, signal: undefined });
    const at = this.#ctx.timeline.clock.nowMs();
    this.revertedAtMs = at;
    this.#ctx.timeline.event(
      "fault.revert",
      this.#label,
      { kind: this.fault.kind, target: this.fault.target, reason },
      at,
    );
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.revert("abort");
  }
}

/** Wrap an unexpected failure as HARNESS_FAULT_FAILED; HarnessErrors pass through with context. */
export function asFaultError(cause: unknown, message: string): HarnessError {
  if (cause instanceof HarnessError && cause.code !== "HARNESS_INTERNAL") {
    if (cause.message.startsWith(message)) return cause;
    return new HarnessError(cause.code, `${message}: ${cause.message}`, {
      hint: cause.hint,
      cause,
      exitCode: cause.exitCode,
    });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new HarnessError("HARNESS_FAULT_FAILED", `${message}: ${detail}`, {
    hint: "check that the target service and the Toxiproxy API are up (harness ps)",
    cause,
  });
}

/** Shared option checks. */
export const checks = {
  name(value: unknown): string | undefined {
    return typeof value === "string" && value.length > 0 ? undefined : "must be a non-empty string";
  },
  number(value: unknown, min: number, max = Number.POSITIVE_INFINITY): string | undefined {
    if (typeof value !== "number" || !Number.isFinite(value)) return "must be a finite number";
    if (value < min || value > max) {
      return max === Number.POSITIVE_INFINITY ? `must be at least ${min}` : `must be between ${min} and ${max}`;
    }
    return undefined;
  },
  integer(value: unknown, min: number): string | undefined {
    if (typeof value !== "number" || !Number.isInteger(value)) return "must be an integer";
    return value < min ? `must be at least ${min}` : undefined;
  },
};
