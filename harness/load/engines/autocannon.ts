import autocannon from "autocannon";
import { GeneratorHealth } from "../health.ts";
import type { Outcome } from "../http/client.ts";
import { classifyError, classifyStatus } from "../http/error-class.ts";
import { WritesLedger } from "../ledger.ts";
import { Recorder } from "../recorder.ts";
import type { BreakingPoint } from "../stop-condition.ts";
import { judgeValidity } from "../validity.ts";
import type { LoadEngine, LoadResult, LoadRun, LoadSpec, StopReason } from "./engine.ts";

/**
 * autocannon as a second engine: closed-model stress on one URL (constant-vus: one connection
 * per VU), its answers written onto the same timeline under the same metric names. Each sample
 * sits at its send time (answer time minus autocannon's response time).
 */
export const autocannonEngine: LoadEngine = {
  name: "autocannon",
  problems(spec) {
    const out: string[] = [];
    if (spec.plan.executor !== "constant-vus") {
      out.push(`engine autocannon runs only the constant-vus executor (closed model), not ${spec.plan.executor}`);
    }
    if (spec.templates.length !== 1) out.push("engine autocannon sends one request template, not a mix");
    const t = spec.templates[0];
    if (t && (t.needsBody || t.checks))
      out.push("engine autocannon cannot run body checks or writes: use the native engine");
    if (t?.hasParams) {
      out.push("engine autocannon sends a fixed path: request params need the native engine");
    }
    return out;
  },
  start: (spec) => new AutocannonRun(spec),
};

class AutocannonRun implements LoadRun {
  readonly startedAtMs: number;
  readonly done: Promise<LoadResult>;
  readonly #spec: LoadSpec;
  readonly #recorder: Recorder;
  readonly #health: GeneratorHealth;
  readonly #instance: autocannon.Instance;
  #stoppedBy: StopReason = "plan";
  #breakingPoint: BreakingPoint | undefined;
  #stoppedAtMs: number | undefined;
  #sent = 0;
  #completed = 0;
  #failed = 0;

  constructor(spec: LoadSpec) {
    this.#spec = spec;
    const clock = spec.timeline.clock;
    this.#recorder = new Recorder(spec.timeline, spec.scenario);
    this.startedAtMs = clock.nowMs();
    const template = spec.templates[0]!;
    const request = template.next();
    const base = spec.baseUrl.pathname.replace(/\/$/, "");
    const vus = spec.plan.peak;
    this.#health = new GeneratorHealth(clock, this.#recorder, () => vus, spec.timeline.intervalMs);
    this.#instance = autocannon(
      {
        url: spec.baseUrl.origin + base + request.path,
        method: template.method,
        headers: template.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        connections: vus,
        pipelining: 1,
        duration: spec.plan.durationMs / 1000,
        timeout: Math.max(1, Math.round((spec.http.timeoutMs ?? 10_000) / 1000)),
      },
      // With a callback autocannon returns its instance (events, stop) instead of a promise.
      () => undefined,
    );
    const at = (responseTimeMs: number): number => clock.nowMs() - responseTimeMs;
    this.#instance.on("response", (_client: unknown, status: number, bytes: number, responseTimeMs: number) => {
      const end = clock.nowMs();
      this.#record({
        status,
        error: classifyStatus(status),
        bytesIn: bytes,
        startMs: end - responseTimeMs,
        endMs: end,
      });
    });
    this.#instance.on("reqError", (error: Error) => {
      const end = clock.nowMs();
      const timeout = error.message === "request timed out";
      const startMs = timeout ? at(this.#spec.http.timeoutMs ?? 10_000) : end;
      this.#record({ status: 0, error: timeout ? "timeout" : classifyError(error), bytesIn: 0, startMs, endMs: end });
    });
    this.done = new Promise((resolve) => {
      this.#instance.on("done", () => resolve(this.#result()));
    });
  }

  #record(r: Pick<Outcome, "status" | "error" | "bytesIn" | "endMs"> & { startMs: number }): void {
    const o: Outcome = {
      template: this.#spec.templates[0]!,
      intendedMs: r.startMs,
      startMs: r.startMs,
      endMs: r.endMs,
      status: r.status,
      error: r.error,
      bytesIn: r.bytesIn,
      bytesOut: 0,
      body: undefined,
      key: undefined,
    };
    this.#sent++;
    this.#completed++;
    if (this.#recorder.record(o)) this.#failed++;
  }

  get inFlight(): number {
    return this.#spec.plan.peak;
  }

  stopIssuing(reason: StopReason, breakingPoint?: BreakingPoint): void {
    this.abort(reason);
    if (breakingPoint) this.#breakingPoint ??= breakingPoint;
  }

  abort(reason: StopReason): void {
    if (this.#stoppedAtMs !== undefined) return;
    this.#stoppedBy = reason;
    this.#stoppedAtMs = this.#spec.timeline.clock.nowMs();
    this.#instance.stop();
  }

  stop(): void {
    this.abort("stop");
  }

  #result(): LoadResult {
    const health = this.#health.stop();
    const endedAtMs = this.#spec.timeline.clock.nowMs();
    const issuedForMs = Math.max(
      1,
      Math.min(this.#spec.plan.durationMs, (this.#stoppedAtMs ?? endedAtMs) - this.startedAtMs),
    );
    const validity = judgeValidity(
      { model: "closed", offered: this.#sent, sent: this.#sent, late: 0, dropped: 0, health },
      this.#spec.validityLimits,
    );
    for (const r of validity.reasons) this.#spec.timeline.event("validity", r.code, { message: r.message }, endedAtMs);
    const result: LoadResult = {
      engine: "autocannon",
      executor: this.#spec.plan.executor,
      model: "closed",
      startedAtMs: this.startedAtMs,
      endedAtMs,
      issuedForMs,
      stoppedBy: this.#stoppedBy,
      offered: this.#sent,
      offeredPerS: this.#sent / (issuedForMs / 1000),
      sent: this.#sent,
      achievedPerS: this.#sent / (issuedForMs / 1000),
      completed: this.#completed,
      failed: this.#failed,
      late: 0,
      dropped: 0,
      aborted: 0,
      validity,
      ledger: new WritesLedger().snapshot(),
      health,
    };
    if (this.#breakingPoint) result.breakingPoint = this.#breakingPoint;
    return result;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.done;
  }
}
