import { ArrivalSchedule } from "../executors/arrivals.ts";
import { requestsUntil, targetAt } from "../executors/executor.ts";
import { GeneratorHealth } from "../health.ts";
import { HttpClient, type Outcome } from "../http/client.ts";
import { WritesLedger } from "../ledger.ts";
import { Recorder } from "../recorder.ts";
import type { BreakingPoint } from "../stop-condition.ts";
import { judgeValidity } from "../validity.ts";
import type { LoadEngine, LoadResult, LoadRun, LoadSpec, StopReason } from "./engine.ts";

/** Arrivals sent per timer tick before yielding to I/O: keeps answers flowing when far behind. */
const MAX_BATCH = 512;
/** Behind schedule at the planned end, arrivals are still sent (late) for this long, then dropped. */
const END_SLACK_MS = 1000;
/** How often the closed-model controller adjusts the VU count, ms. */
const VU_TICK_MS = 50;

/**
 * The native engine: undici keep-alive pool, every k6 executor, full metrics on the timeline.
 * Open model: a timer walks the arrival schedule and sends each request at its intended time;
 * latency counts from that time, so a stalled server cannot hide (no coordinated omission).
 * Closed model: each VU sends its next request when the previous one ends.
 */
export const nativeEngine: LoadEngine = {
  name: "native",
  problems: () => [],
  start: (spec) => new NativeRun(spec),
};

class NativeRun implements LoadRun {
  readonly startedAtMs: number;
  readonly done: Promise<LoadResult>;
  readonly #spec: LoadSpec;
  readonly #client: HttpClient;
  readonly #recorder: Recorder;
  readonly #ledger = new WritesLedger();
  readonly #health: GeneratorHealth;
  readonly #endAtMs: number;
  #resolve!: (r: LoadResult) => void;
  #issuing = true;
  #finished = false;
  #stoppedBy: StopReason = "plan";
  #breakingPoint: BreakingPoint | undefined;
  #issuedUntilMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #sent = 0;
  #completed = 0;
  #failed = 0;
  #late = 0;
  #dropped = 0;
  #aborted = 0;
  // open model
  #schedule: ArrivalSchedule | undefined;
  #next: number | undefined;
  // closed model
  #vus = 0;
  #wantedVus = 0;
  #sending = false;

  constructor(spec: LoadSpec) {
    this.#spec = spec;
    const clock = spec.timeline.clock;
    this.#recorder = new Recorder(spec.timeline, spec.scenario);
    const connections = spec.http.connections ?? Math.min(1000, Math.max(1, Math.ceil(spec.plan.maxInFlight)));
    this.#client = new HttpClient(spec.baseUrl, { ...spec.http, connections }, clock, (o) => this.#onOutcome(o));
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.startedAtMs = clock.nowMs();
    this.#endAtMs = this.startedAtMs + spec.plan.durationMs;
    this.#health = new GeneratorHealth(clock, this.#recorder, () => this.#client.inFlight, spec.timeline.intervalMs);
    if (spec.plan.model === "open") {
      this.#schedule = new ArrivalSchedule(spec.plan.points);
      this.#next = this.#schedule.next();
      this.#tickOpen();
    } else {
      this.#tickClosed();
    }
  }

  get inFlight(): number {
    return this.#client.inFlight;
  }

  #now(): number {
    return this.#spec.timeline.clock.nowMs();
  }

  #tickOpen(): void {
    this.#timer = undefined;
    if (!this.#issuing) return;
    const t0 = this.startedAtMs;
    const { lateAfterMs } = this.#spec;
    const maxInFlight = this.#spec.plan.maxInFlight;
    let now = this.#now();
    let batch = 0;
    while (this.#next !== undefined && t0 + this.#next <= now && batch < MAX_BATCH) {
      const intended = t0 + this.#next;
      if (now > this.#endAtMs + Math.max(END_SLACK_MS, lateAfterMs)) {
        // Past the planned end and still behind: the rest is dropped, the run ends on time.
        this.#dropRest(now);
        return;
      }
      if (this.#client.inFlight >= maxInFlight) {
        this.#dropped++;
        this.#recorder.dropped.count(1, intended);
      } else {
        if (now - intended > lateAfterMs) {
          this.#late++;
          this.#recorder.late.count(1, intended);
        }
        this.#sent++;
        this.#client.send(this.#spec.pick(), intended);
      }
      this.#next = this.#schedule!.next();
      batch++;
      if ((batch & 31) === 0) now = this.#now();
    }
    if (this.#next === undefined) {
      this.#endIssuing("plan", this.#spec.plan.durationMs);
    } else if (batch >= MAX_BATCH) {
      this.#timer = setTimeout(() => this.#tickOpen(), 0);
    } else {
      this.#timer = setTimeout(() => this.#tickOpen(), Math.max(0, t0 + this.#next - this.#now()));
    }
  }

  #dropRest(now: number): void {
    // Counted, not walked: the rest of a long schedule could be millions of arrivals.
    const rest = (this.#next === undefined ? 0 : 1) + this.#schedule!.remaining();
    this.#dropped += rest;
    this.#recorder.dropped.count(rest, now);
    this.#next = undefined;
    this.#endIssuing("plan", Math.min(now - this.startedAtMs, this.#spec.plan.durationMs));
  }

  #tickClosed(): void {
    this.#timer = undefined;
    if (!this.#issuing) return;
    const now = this.#now();
    if (now >= this.#endAtMs) {
      this.#endIssuing("plan", this.#spec.plan.durationMs);
      return;
    }
    this.#wantedVus = Math.round(targetAt(this.#spec.plan.points, now - this.startedAtMs));
    while (this.#vus < this.#wantedVus) {
      this.#vus++;
      this.#iterate();
    }
    this.#timer = setTimeout(() => this.#tickClosed(), Math.min(VU_TICK_MS, Math.max(1, this.#endAtMs - now)));
  }

  /** One VU's next request, or the VU leaves (ramp-down, end of plan). */
  #iterate(): void {
    const now = this.#now();
    if (!this.#issuing || this.#vus > this.#wantedVus || now >= this.#endAtMs) {
      this.#vus--;
      return;
    }
    this.#sent++;
    this.#sending = true;
    this.#client.send(this.#spec.pick(), now, now);
    this.#sending = false;
  }

  #onOutcome(o: Outcome): void {
    if (o.error === "aborted") {
      this.#aborted++;
    } else {
      this.#completed++;
      if (this.#recorder.record(o)) this.#failed++;
    }
    this.#ledger.record(o);
    if (this.#spec.plan.model === "closed") {
      // An outcome inside send() (a synchronous refusal) must not recurse into the next send.
      if (this.#sending) setImmediate(() => this.#iterate());
      else this.#iterate();
    }
    if (!this.#issuing && this.#client.inFlight === 0) this.#finish();
  }

  #endIssuing(reason: StopReason, issuedForMs: number): void {
    if (!this.#issuing) return;
    this.#issuing = false;
    this.#stoppedBy = reason;
    this.#issuedUntilMs = issuedForMs;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#client.inFlight === 0) {
      setImmediate(() => this.#finish());
      return;
    }
    this.#graceTimer = setTimeout(() => {
      this.#client.abortAll();
      this.#finish();
    }, this.#spec.plan.gracefulStopMs);
  }

  stopIssuing(reason: StopReason, breakingPoint?: BreakingPoint): void {
    if (breakingPoint) this.#breakingPoint ??= breakingPoint;
    this.#endIssuing(reason, Math.min(this.#now() - this.startedAtMs, this.#spec.plan.durationMs));
  }

  stop(): void {
    this.abort("stop");
  }

  abort(reason: StopReason): void {
    this.stopIssuing(reason);
    this.#client.abortAll();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    const health = this.#health.stop();
    const endedAtMs = this.#now();
    void this.#client.close();
    const plan = this.#spec.plan;
    const issuedForMs = Math.max(1, this.#issuedUntilMs ?? plan.durationMs);
    const offered =
      plan.model === "open"
        ? this.#stoppedBy === "plan"
          ? (plan.plannedRequests ?? 0)
          : Math.ceil(requestsUntil(plan.points, issuedForMs) - 1e-9)
        : this.#sent;
    const validity = judgeValidity(
      { model: plan.model, offered, sent: this.#sent, late: this.#late, dropped: this.#dropped, health },
      this.#spec.validityLimits,
    );
    for (const r of validity.reasons) {
      this.#spec.timeline.event("validity", r.code, { message: r.message }, endedAtMs);
    }
    const result: LoadResult = {
      engine: "native",
      executor: plan.executor,
      model: plan.model,
      startedAtMs: this.startedAtMs,
      endedAtMs,
      issuedForMs,
      stoppedBy: this.#stoppedBy,
      offered,
      offeredPerS: offered / (issuedForMs / 1000),
      sent: this.#sent,
      achievedPerS: this.#sent / (issuedForMs / 1000),
      completed: this.#completed,
      failed: this.#failed,
      late: this.#late,
      dropped: this.#dropped,
      aborted: this.#aborted,
      validity,
      ledger: this.#ledger.snapshot(),
      health,
    };
    if (this.#breakingPoint) result.breakingPoint = this.#breakingPoint;
    this.#resolve(result);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.done;
  }
}
