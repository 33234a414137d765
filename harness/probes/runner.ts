import { HarnessError } from "../errors.ts";
import type { Clock } from "../timeline/index.ts";
import { abortableSleep } from "../timeline/sleep.ts";
import type { Probe, ProbeContext, Sampler } from "./probe.ts";

export interface ProbeRunnerOptions {
  /** Default interval for probes without their own, ms. Default 1000. */
  intervalMs?: number;
  /** The clock samples are timed on. Default: the timeline's. */
  clock?: Clock;
  /** How loops wait; tests pass one that moves a manual clock. Default: a timer woken by stop. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A reading taking longer than this is abandoned and counted as an error, ms. Default: its interval, at least 2000 (Docker answers inspect slowly while it starts a container). */
  sampleTimeoutMs?: number;
  /** Each probe stops after this many readings (a bound, not a plan). Default: 6 hours' worth. */
  maxSamples?: number;
  /** Stop on this signal too. */
  signal?: AbortSignal;
}

/**
 * Samples every probe on the timeline's clock at its interval, each probe in its own loop so a
 * slow one delays no other. A failed reading is data, never a throw out of the loop: it counts in
 * `probe_errors{probe}` and, when the message changes, writes a `probe` / `<probe>.error` event.
 * Readings missed while a slow one ran are skipped, not bunched up. Stops on `stop()`, dispose, or
 * the signal.
 */
export class ProbeRunner implements AsyncDisposable {
  readonly #probes: readonly Probe[];
  readonly #ctx: ProbeContext;
  readonly #options: ProbeRunnerOptions;
  readonly #stop = new AbortController();
  #loops: Promise<void>[] = [];
  readonly #samples = new Map<string, number>();

  constructor(probes: readonly Probe[], ctx: ProbeContext, options: ProbeRunnerOptions = {}) {
    const problems = probes.flatMap((p) => p.validate().map((m) => `probe ${p.name}: ${m}`));
    const names = probes.map((p) => p.name);
    for (const [i, n] of names.entries()) if (names.indexOf(n) !== i) problems.push(`probe ${n}: named twice`);
    if (problems.length > 0) {
      throw new HarnessError("HARNESS_CONFIG_INVALID", `invalid probes: ${[...new Set(problems)].join("; ")}`, {
        hint: "fix the probes section of the scenario file (give probes of one kind distinct names)",
      });
    }
    this.#probes = probes;
    this.#ctx = ctx;
    this.#options = options;
  }

  /** Start sampling (once). */
  start(): this {
    if (this.#loops.length > 0 || this.#stop.signal.aborted) return this;
    const signal = this.#options.signal
      ? AbortSignal.any([this.#options.signal, this.#stop.signal])
      : this.#stop.signal;
    this.#loops = this.#probes.map((p) => this.#loop(p, signal));
    return this;
  }

  /** Resolves when every loop has ended (stopped, or `maxSamples` reached). */
  finished(): Promise<void> {
    return Promise.all(this.#loops).then(() => undefined);
  }

  /** Readings taken so far per probe, successful or not. */
  samples(): Record<string, number> {
    return Object.fromEntries(this.#samples);
  }

  /** Stop every loop and wait for them (and their samplers' close) to end. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #loop(probe: Probe, signal: AbortSignal): Promise<void> {
    const timeline = this.#ctx.timeline;
    const clock = this.#options.clock ?? timeline.clock;
    const sleep = this.#options.sleep ?? abortableSleep;
    const intervalMs = probe.intervalMs ?? this.#options.intervalMs ?? 1000;
    const timeoutMs = this.#options.sampleTimeoutMs ?? Math.max(intervalMs, 2000);
    const maxSamples = this.#options.maxSamples ?? Math.ceil((6 * 3_600_000) / intervalMs);
    const errors = timeline.series("probe_errors", "counter", { probe: probe.name });
    // Declared at zero: "no errors" is then measured, not missing.
    errors.count(0, clock.nowMs());
    let lastError: string | undefined;
    const fail = (cause: unknown): void => {
      errors.count(1, clock.nowMs());
      const message = cause instanceof Error ? cause.message : String(cause);
      if (message !== lastError) timeline.event("probe", `${probe.name}.error`, { message });
      lastError = message;
    };

    let sampler: Sampler | undefined;
    const startMs = clock.nowMs();
    let k = 0;
    for (let taken = 0; taken < maxSamples && !signal.aborted; taken++) {
      try {
        sampler ??= probe.open(this.#ctx);
        const reading = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
        await Promise.race([
          sampler.sample(reading),
          new Promise<never>((_, reject) => {
            reading.addEventListener("abort", () => reject(new Error(`reading took over ${timeoutMs} ms`)), {
              once: true,
            });
          }),
        ]);
        if (lastError !== undefined && !signal.aborted) {
          timeline.event("probe", `${probe.name}.ok`, {});
          lastError = undefined;
        }
      } catch (cause) {
        if (!signal.aborted) fail(cause);
      }
      this.#samples.set(probe.name, (this.#samples.get(probe.name) ?? 0) + 1);
      // Next reading on the interval grid; skip the slots a slow reading overran.
      const now = clock.nowMs();
      k = Math.max(k + 1, Math.floor((now - startMs) / intervalMs) + 1);
      const waitMs = startMs + k * intervalMs - now;
      if (signal.aborted) break;
      await sleep(Math.max(0, waitMs), signal);
    }
    try {
      await sampler?.close?.();
    } catch (cause) {
      fail(cause);
    }
  }
}
