import { HarnessError } from "../errors.ts";
import { formatDurationMs, parseDurationMs } from "../scenario/duration.ts";
import type { Clock, Timeline } from "../timeline/index.ts";
import { abortableSleep } from "../timeline/sleep.ts";
import { type ErrorRateSource, errorRateHeld } from "./conditions.ts";
import {
  assertValidFaults,
  type Fault,
  type FaultContext,
  type FaultProblem,
  type InjectedFault,
  type RevertReason,
} from "./fault.ts";

/** A duration as users write it (`20s`, `1m30s`) or a number of ms. */
export type Duration = string | number;

/** Steady state: the per-interval error rate stayed under `maxErrorRate` for `steadyFor`. */
export interface SteadyCondition extends ErrorRateSource {
  steadyFor: Duration;
  /** Exclusive upper bound of the per-interval error rate, 0..1. Default 0.01. */
  maxErrorRate?: number;
}

/** A custom start condition, asked every tick with the timeline and the run-clock time. */
export type StartPredicate = (timeline: Timeline, nowMs: number) => boolean;

/** Recovered: the per-interval error rate since the inject is back under `maxErrorRate` for `healthyFor`. */
export interface RecoveredCondition extends ErrorRateSource {
  healthyFor: Duration;
  /** Exclusive upper bound of the per-interval error rate, 0..1. Default 0.01. */
  maxErrorRate?: number;
  /** Revert anyway this long after the inject. */
  atMost: Duration;
}

/** When an injected fault is reverted. Absent: at the end of the schedule (`revertAll("scheduled")`). */
export type RevertWhen = { after: Duration } | { whenRecovered: RecoveredCondition };

/** One fault on the schedule: when it starts (`at` or `when`) and when it is reverted. */
export interface ScheduledFault {
  fault: Fault;
  /** Inject at this run-clock time. */
  at?: Duration;
  /** Inject once this holds. */
  when?: SteadyCondition | StartPredicate;
  /** With `when`: give up at this run-clock time (a `validity` event says so). Default: the schedule's end. */
  notAfter?: Duration;
  revert?: RevertWhen;
}

export interface FaultScheduleOptions {
  /** The run clock; default the context timeline's. */
  clock?: Clock;
  /** How the loop waits; tests pass one that moves a manual clock. Default: a timer, woken by aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often conditions are checked, ms. Default 250. */
  tickMs?: number;
}

/** The state of one entry, as `harness plan` and the report see it. */
export interface ScheduledState {
  id: string;
  state: "pending" | "injected" | "reverted" | "skipped" | "failed";
  injectedAtMs?: number;
  revertedAtMs?: number;
}

/** A schedule step described for `harness plan`. */
export interface PlannedFault {
  id: string;
  kind: string;
  target: string;
  what: string;
  start: string;
  revert: string;
}

interface Entry {
  spec: ScheduledFault;
  atMs?: number;
  notAfterMs?: number;
  afterMs?: number;
  steadyForMs?: number;
  healthyForMs?: number;
  atMostMs?: number;
  state: ScheduledState["state"];
  injected?: InjectedFault;
}

/**
 * When faults inject and revert. `run` drives the entries on the run clock; `revertAll` is the
 * guarantee: it reverts every injected fault, newest first, and is what the orchestrator calls
 * on abort, error and SIGINT (disposing the schedule does it with reason "abort").
 */
export class FaultSchedule implements AsyncDisposable {
  readonly #entries: Entry[];
  readonly #options: FaultScheduleOptions;
  /** Injected faults in inject order; reverted LIFO. */
  readonly #stack: InjectedFault[] = [];
  readonly #wake = new AbortController();
  #closed = false;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(entries: readonly ScheduledFault[], options: FaultScheduleOptions = {}) {
    this.#options = options;
    this.#entries = entries.map((spec) => ({ spec, state: "pending" }));
    for (const e of this.#entries) parseTimes(e, []);
  }

  /** Every problem of every fault and of the schedule itself; empty when it can run. */
  validate(): FaultProblem[] {
    const problems: FaultProblem[] = [];
    const ids = new Set<string>();
    for (const e of this.#entries) {
      const f = e.spec.fault;
      problems.push(...f.validate());
      if (ids.has(f.id)) problems.push({ fault: f.id, option: "id", message: "is used by another fault" });
      ids.add(f.id);
      parseTimes(e, problems);
    }
    const tick = this.#options.tickMs;
    if (tick !== undefined && !(tick > 0))
      problems.push({ fault: "schedule", option: "tickMs", message: "must be positive" });
    return problems;
  }

  /** What will happen, one line per fault, for `harness plan`. */
  plan(): PlannedFault[] {
    return this.#entries.map((e) => {
      const f = e.spec.fault;
      return {
        id: idOf(f),
        kind: f.kind,
        target: f.target,
        what: f.describe(),
        start: describeStart(e),
        revert: describeRevert(e),
      };
    });
  }

  /** Each entry's state and times. */
  states(): ScheduledState[] {
    return this.#entries.map((e) => ({
      id: idOf(e.spec.fault),
      state: e.state,
      injectedAtMs: e.injected?.injectedAtMs,
      revertedAtMs: e.injected?.revertedAtMs,
    }));
  }

  /** The faults injected so far (reverted or not), in inject order. */
  get injected(): readonly InjectedFault[] {
    return this.#stack;
  }

  /**
   * Drive the schedule until every entry is done, the run clock reaches `untilMs`, the signal
   * aborts or `revertAll` is called. Faults still injected when it returns stay injected: the
   * caller ends them with `revertAll`. An inject or revert failure rejects (the caller then
   * calls `revertAll("error")`).
   */
  async run(ctx: FaultContext, opts: { untilMs: number }): Promise<ScheduledState[]> {
    const problems = this.validate();
    if (problems.length > 0) {
      throw new HarnessError(
        "HARNESS_CONFIG_INVALID",
        `invalid fault schedule: ${problems.map((p) => `${p.fault}.${p.option} ${p.message}`).join("; ")}`,
        { hint: "fix the faults section of the scenario file" },
      );
    }
    assertValidFaults(this.#entries.map((e) => e.spec.fault));
    const clock = this.#options.clock ?? ctx.timeline.clock;
    const sleep = this.#options.sleep ?? abortableSleep;
    const tickMs = this.#options.tickMs ?? 250;
    const wake = ctx.signal ? AbortSignal.any([ctx.signal, this.#wake.signal]) : this.#wake.signal;
    // Bounded: the clock must reach untilMs within this many ticks (twice the honest count).
    const maxTicks = Math.ceil(Math.max(0, opts.untilMs - clock.nowMs()) / tickMs) * 2 + 10;

    for (let tick = 0; tick < maxTicks; tick++) {
      if (this.#closed || wake.aborted) break;
      const now = clock.nowMs();
      for (const e of this.#entries) {
        if (this.#closed || wake.aborted) break;
        if (e.state === "pending") await this.#maybeInject(e, ctx, now, opts.untilMs);
        else if (e.state === "injected") await this.#maybeRevert(e, ctx, clock.nowMs());
      }
      if (this.#entries.every((e) => e.state !== "pending" && e.state !== "injected")) break;
      const later = clock.nowMs();
      if (later >= opts.untilMs) break;
      await sleep(Math.min(tickMs, this.#nextDueMs(later, opts.untilMs) - later), wake);
    }
    return this.states();
  }

  async #maybeInject(e: Entry, ctx: FaultContext, now: number, untilMs: number): Promise<void> {
    const s = e.spec;
    let due = false;
    if (e.atMs !== undefined) due = now >= e.atMs;
    else if (typeof s.when === "function") due = s.when(ctx.timeline, now);
    else if (s.when) {
      due = errorRateHeld(ctx.timeline, {
        ...s.when,
        maxErrorRate: s.when.maxErrorRate ?? 0.01,
        forMs: e.steadyForMs ?? 0,
        nowMs: now,
      }).held;
    }
    if (!due) {
      const deadline = e.notAfterMs ?? untilMs;
      if (e.atMs === undefined && now >= deadline) {
        e.state = "skipped";
        ctx.timeline.event("validity", "fault_condition_not_met", {
          message: `fault ${idOf(s.fault)} was not injected: ${describeStart(e)} did not hold by ${formatDurationMs(deadline)}`,
          fault: idOf(s.fault),
        });
      }
      return;
    }
    // The stack push is part of the in-flight operation revertAll waits for.
    const op = (async () => {
      try {
        const injected = await s.fault.inject(ctx);
        e.injected = injected;
        e.state = "injected";
        this.#stack.push(injected);
      } catch (cause) {
        e.state = "failed";
        throw cause;
      }
    })();
    this.#busy = op.catch(() => {});
    await op;
  }

  async #maybeRevert(e: Entry, ctx: FaultContext, now: number): Promise<void> {
    const inj = e.injected!;
    const since = now - inj.injectedAtMs;
    let reason: RevertReason | undefined;
    const r = e.spec.revert;
    if (!r) return;
    if ("after" in r) {
      if (since >= (e.afterMs ?? 0)) reason = "scheduled";
    } else {
      const held = errorRateHeld(ctx.timeline, {
        ...r.whenRecovered,
        maxErrorRate: r.whenRecovered.maxErrorRate ?? 0.01,
        forMs: e.healthyForMs ?? 0,
        sinceMs: inj.injectedAtMs,
        nowMs: now,
      });
      if (held.held) reason = "recovered";
      else if (since >= (e.atMostMs ?? 0)) reason = "scheduled";
    }
    if (!reason) return;
    const op = inj.revert(reason);
    this.#busy = op.catch(() => {});
    await op;
    e.state = "reverted";
  }

  /** The earliest run-clock time something is due by the clock alone. */
  #nextDueMs(now: number, untilMs: number): number {
    let next = untilMs;
    for (const e of this.#entries) {
      if (e.state === "pending" && e.atMs !== undefined) next = Math.min(next, e.atMs);
      if (e.state === "pending" && e.notAfterMs !== undefined) next = Math.min(next, e.notAfterMs);
      if (e.state === "injected" && e.injected) {
        if (e.afterMs !== undefined) next = Math.min(next, e.injected.injectedAtMs + e.afterMs);
        if (e.atMostMs !== undefined) next = Math.min(next, e.injected.injectedAtMs + e.atMostMs);
      }
    }
    return Math.max(next, now + 1);
  }

  /**
   * Revert every injected fault, newest first, each at most once, and stop the schedule: nothing
   * is injected afterwards. Every revert is tried; failures are collected and thrown together.
   */
  async revertAll(reason: RevertReason): Promise<void> {
    this.#closed = true;
    this.#wake.abort();
    // An inject in flight lands on the stack first, so it is reverted too.
    await this.#busy;
    const failures: unknown[] = [];
    for (const inj of [...this.#stack].reverse()) {
      if (inj.reverted) continue;
      try {
        await inj.revert(reason);
      } catch (cause) {
        failures.push(cause);
      }
    }
    for (const e of this.#entries) {
      if (e.state === "injected" && e.injected?.reverted) e.state = "reverted";
      if (e.state === "pending") e.state = "skipped";
    }
    if (failures.length > 0) {
      const detail = failures.map((f) => (f instanceof Error ? f.message : String(f))).join("; ");
      throw new HarnessError("HARNESS_FAULT_FAILED", `${failures.length} fault(s) could not be reverted: ${detail}`, {
        hint: "run `harness down` to remove the run's containers and reset Toxiproxy",
        cause: failures.length === 1 ? failures[0] : new AggregateError(failures),
      });
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.revertAll("abort");
  }
}

function idOf(f: Fault): string {
  return f.id;
}

/** Parse the entry's durations into ms; problems go to `problems`. */
function parseTimes(e: Entry, problems: FaultProblem[]): void {
  const s = e.spec;
  const id = idOf(s.fault);
  const dur = (value: Duration, option: string): number | undefined => {
    try {
      return parseDurationMs(value, option);
    } catch {
      problems.push({ fault: id, option, message: `'${String(value)}' is not a duration (like 20s or 1m30s)` });
      return undefined;
    }
  };
  const rate = (value: number | undefined, option: string): void => {
    if (value !== undefined && !(typeof value === "number" && value > 0 && value <= 1)) {
      problems.push({ fault: id, option, message: "must be a rate in (0, 1]" });
    }
  };
  if ((s.at === undefined) === (s.when === undefined))
    problems.push({ fault: id, option: "at", message: "give either at or when" });
  if (s.at !== undefined) e.atMs = dur(s.at, "at");
  if (s.when !== undefined && typeof s.when !== "function") {
    e.steadyForMs = dur(s.when.steadyFor, "when.steadyFor");
    rate(s.when.maxErrorRate, "when.maxErrorRate");
  }
  if (s.notAfter !== undefined) {
    if (s.when === undefined) problems.push({ fault: id, option: "notAfter", message: "goes with when" });
    e.notAfterMs = dur(s.notAfter, "notAfter");
  }
  const r = s.revert;
  if (r !== undefined) {
    if ("after" in r) e.afterMs = dur(r.after, "revert.after");
    else if ("whenRecovered" in r && r.whenRecovered) {
      e.healthyForMs = dur(r.whenRecovered.healthyFor, "revert.whenRecovered.healthyFor");
      e.atMostMs = dur(r.whenRecovered.atMost, "revert.whenRecovered.atMost");
      rate(r.whenRecovered.maxErrorRate, "revert.whenRecovered.maxErrorRate");
      if (e.healthyForMs !== undefined && e.atMostMs !== undefined && e.atMostMs < e.healthyForMs) {
        problems.push({ fault: id, option: "revert.whenRecovered.atMost", message: "must be at least healthyFor" });
      }
    } else problems.push({ fault: id, option: "revert", message: "give after or whenRecovered" });
  }
}

function describeStart(e: Entry): string {
  const s = e.spec;
  if (e.atMs !== undefined) return `at ${formatDurationMs(e.atMs)}`;
  if (typeof s.when === "function") return "when its condition holds";
  if (s.when) {
    const limit = s.when.maxErrorRate ?? 0.01;
    return `when ${s.when.metric ?? "http_req_failed"} stayed under ${limit} per interval for ${formatDurationMs(e.steadyForMs ?? 0)}`;
  }
  return "never";
}

function describeRevert(e: Entry): string {
  const r = e.spec.revert;
  if (!r) return "at the end of the run";
  if ("after" in r) return `${formatDurationMs(e.afterMs ?? 0)} after inject`;
  const w = r.whenRecovered;
  return `when ${w.metric ?? "http_req_failed"} stayed under ${w.maxErrorRate ?? 0.01} for ${formatDurationMs(e.healthyForMs ?? 0)}, at most ${formatDurationMs(e.atMostMs ?? 0)} after inject`;
}
