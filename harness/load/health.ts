import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Clock } from "../timeline/index.ts";
import type { Recorder } from "./recorder.ts";

/** The generator's own health over a run, for the validity judgement. */
export interface HealthFigures {
  /** Highest per-period p99 event-loop delay, ms, after the first period (the engine's start). */
  maxEventLoopLagMs: number;
  /** Mean CPU of this process over the run, as a fraction of one core. */
  meanCpu: number;
  /** Highest per-period CPU fraction. */
  maxCpu: number;
  periods: number;
}

/**
 * Samples event-loop lag (p99 of a 10 ms-resolution monitor) and process CPU every period and
 * writes them as the `generator_event_loop_lag` (ms) and `generator_cpu` (fraction of a core) gauges.
 */
export class GeneratorHealth {
  readonly #monitor: IntervalHistogram;
  readonly #timer: NodeJS.Timeout;
  readonly #clock: Clock;
  readonly #recorder: Recorder;
  readonly #inFlight: () => number;
  readonly #startCpu = process.cpuUsage();
  readonly #startMs: number;
  #lastCpu = process.cpuUsage();
  #lastMs: number;
  #maxLag = 0;
  #maxCpu = 0;
  #periods = 0;

  /** @param periodMs sampling period, ms (the timeline interval is a good choice). */
  constructor(clock: Clock, recorder: Recorder, inFlight: () => number, periodMs: number) {
    this.#clock = clock;
    this.#recorder = recorder;
    this.#inFlight = inFlight;
    this.#startMs = clock.nowMs();
    this.#lastMs = this.#startMs;
    this.#monitor = monitorEventLoopDelay({ resolution: 10 });
    this.#monitor.enable();
    this.#timer = setInterval(() => this.sample(), periodMs);
  }

  /** Take one sample now (also called once at the end). */
  sample(): void {
    const now = this.#clock.nowMs();
    const elapsedMs = now - this.#lastMs;
    if (elapsedMs < 1) return;
    const cpu = process.cpuUsage(this.#lastCpu);
    this.#lastCpu = process.cpuUsage();
    this.#lastMs = now;
    const fraction = (cpu.user + cpu.system) / 1000 / elapsedMs;
    // The monitor reports ns and includes its own 10 ms resolution: subtract it.
    const lagMs = this.#monitor.count > 0 ? Math.max(0, this.#monitor.percentile(99) / 1e6 - 10) : 0;
    this.#monitor.reset();
    this.#recorder.lag.gauge(lagMs, now);
    this.#recorder.cpu.gauge(fraction, now);
    this.#recorder.inFlight.gauge(this.#inFlight(), now);
    this.#periods++;
    // The first period holds the engine's start (connections opening, code still cold): its lag is on
    // the timeline, and what it delayed counts as late sends, but a one-off start-up stall is not judged
    // as a generator that could not keep up.
    if (this.#periods > 1 && lagMs > this.#maxLag) this.#maxLag = lagMs;
    if (fraction > this.#maxCpu) this.#maxCpu = fraction;
  }

  /** Stop sampling and return the run's figures. */
  stop(): HealthFigures {
    clearInterval(this.#timer);
    this.sample();
    this.#monitor.disable();
    const cpu = process.cpuUsage(this.#startCpu);
    const ms = Math.max(1, this.#clock.nowMs() - this.#startMs);
    return {
      maxEventLoopLagMs: this.#maxLag,
      meanCpu: (cpu.user + cpu.system) / 1000 / ms,
      maxCpu: this.#maxCpu,
      periods: this.#periods,
    };
  }
}
