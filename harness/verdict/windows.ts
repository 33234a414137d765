import type { Window } from "../timeline/index.ts";
import type { TimelineEvent } from "../timeline/types.ts";
import { phaseWindows as timelinePhaseWindows } from "../timeline/windows.ts";

/**
 * The windows of phase `phase` as of `endMs` (the timeline room's phaseWindows, cut at `endMs`).
 * Undefined when the phase never started by `endMs`, which the verdict reports as not measured.
 */
export function phaseWindows(events: readonly TimelineEvent[], phase: string, endMs: number): Window[] | undefined {
  const upToEnd = events.filter((e) => e.kind === "phase" && e.atMs <= endMs);
  if (!upToEnd.some((e) => e.name === phase)) return undefined;
  return timelinePhaseWindows(upToEnd, phase, endMs)
    .map((w) => ({ fromMs: w.fromMs, toMs: Math.min(w.toMs, endMs) }))
    .filter((w) => w.toMs > w.fromMs);
}

/**
 * Shrink windows to whole timeline intervals, so no sample from outside a window is counted:
 * a bucket [t, t + intervalMs) counts only if it lies inside the window. A window reaching
 * `endMs` keeps the last partial bucket (nothing was recorded after the end). The cost is up to
 * one interval at each inner edge; the gain is that a fault's first errors never leak into the
 * steady phase before it.
 */
export function alignToBuckets(windows: readonly Window[], intervalMs: number, endMs: number): Window[] {
  const out: Window[] = [];
  for (const w of windows) {
    const fromMs = Math.ceil(w.fromMs / intervalMs) * intervalMs;
    const toMs = w.toMs >= endMs ? Number.POSITIVE_INFINITY : Math.floor(w.toMs / intervalMs) * intervalMs;
    if (toMs > fromMs) out.push({ fromMs, toMs });
  }
  return out;
}

/** Total length of windows, ms, counting a window open to the end as reaching `endMs`. */
export function windowsSpanMs(windows: readonly Window[], endMs: number): number {
  return windows.reduce((s, w) => s + Math.max(0, Math.min(w.toMs, endMs) - w.fromMs), 0);
}
