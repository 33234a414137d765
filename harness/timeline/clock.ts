import { performance } from "node:perf_hooks";

/**
 * The run's one clock. `nowMs()` is monotonic milliseconds since the run started (fractional);
 * `wallAnchorMs` is the wall-clock time (epoch ms) of that start, for reports only.
 */
export interface Clock {
  nowMs(): number;
  readonly wallAnchorMs: number;
}

/** The real clock: performance.now() relative to construction. */
export function systemClock(): Clock {
  const origin = performance.now();
  const wallAnchorMs = Date.now();
  return { nowMs: () => performance.now() - origin, wallAnchorMs };
}

/** A clock tests move by hand. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(startMs = 0, wallAnchorMs = Date.UTC(2026, 0, 1)): ManualClock {
  let now = startMs;
  return {
    nowMs: () => now,
    wallAnchorMs,
    advance(ms) {
      now += ms;
    },
    set(ms) {
      now = ms;
    },
  };
}
