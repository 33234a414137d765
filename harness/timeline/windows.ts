import type { Window } from "./timeline.ts";
import type { TimelineEvent } from "./types.ts";

/**
 * The windows of a phase: a `phase` event opens one, the next `phase` event (or `endMs`) closes
 * it. A phase entered twice yields two windows. Events need not be sorted.
 */
export function phaseWindows(events: readonly TimelineEvent[], phase: string, endMs: number): Window[] {
  const marks = events.filter((e) => e.kind === "phase").sort((a, b) => a.atMs - b.atMs);
  const out: Window[] = [];
  for (let i = 0; i < marks.length; i++) {
    if (marks[i]!.name !== phase) continue;
    const fromMs = marks[i]!.atMs;
    const toMs = i + 1 < marks.length ? marks[i + 1]!.atMs : Math.max(endMs, fromMs);
    out.push({ fromMs, toMs });
  }
  return unionWindows(out);
}

/** Sorted, non-overlapping windows covering the same time as the input (empty windows dropped). */
export function unionWindows(windows: readonly Window[]): Window[] {
  const sorted = windows.filter((w) => w.toMs > w.fromMs).sort((a, b) => a.fromMs - b.fromMs);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, w.toMs);
    else out.push({ fromMs: w.fromMs, toMs: w.toMs });
  }
  return out;
}

/** The window [fromMs, toMs) shifted to start `offsetMs` later and cut at `lengthMs` (e.g. "first 10 s of recovery"). */
export function sliceWindow(w: Window, offsetMs: number, lengthMs = Number.POSITIVE_INFINITY): Window {
  const fromMs = Math.min(w.toMs, w.fromMs + Math.max(0, offsetMs));
  return { fromMs, toMs: Math.min(w.toMs, fromMs + Math.max(0, lengthMs)) };
}

/** Whether interval [t, t + intervalMs) overlaps any window: the rule `aggregate` and `intervals` use. */
export function overlaps(windows: readonly Window[], t: number, intervalMs: number): boolean {
  return windows.some((w) => t + intervalMs > w.fromMs && t < w.toMs);
}
