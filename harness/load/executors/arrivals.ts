import type { PlanPoint } from "./executor.ts";

/**
 * The intended send times of an open-model schedule. The rate (requests/s) is piecewise linear
 * between the plan's points; arrival k is sent when the integral of the rate reaches k, so
 * arrival 0 is at 0 ms and a constant 500/s for 10 s yields exactly 5,000 arrivals, 2 ms apart.
 * Pure: the same points always give the same times (no timer, no clock).
 */
export class ArrivalSchedule {
  readonly #segments: { fromMs: number; spanMs: number; r0: number; a: number; count: number; before: number }[] = [];
  readonly total: number;
  #segment = 0;
  #k = 0;

  constructor(points: readonly PlanPoint[]) {
    let before = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const p = points[i]!;
      const q = points[i + 1]!;
      const spanMs = q.atMs - p.atMs;
      if (spanMs <= 0) continue;
      // Rates per ms; N(t) = r0 t + a t^2 within the segment.
      const r0 = p.value / 1000;
      const r1 = q.value / 1000;
      const count = ((r0 + r1) / 2) * spanMs;
      this.#segments.push({ fromMs: p.atMs, spanMs, r0, a: (r1 - r0) / (2 * spanMs), count, before });
      before += count;
    }
    this.total = before;
  }

  /** Intended time (ms since the load started) of the next arrival, or undefined when the schedule is over. */
  next(): number | undefined {
    const k = this.#k;
    while (this.#segment < this.#segments.length) {
      const s = this.#segments[this.#segment]!;
      const m = k - s.before;
      if (m < s.count - 1e-9) {
        // Solve r0 t + a t^2 = m in the stable form (valid for rising, falling and flat rates).
        const t = m <= 0 ? 0 : (2 * m) / (s.r0 + Math.sqrt(s.r0 * s.r0 + 4 * s.a * m));
        this.#k++;
        return s.fromMs + Math.min(t, s.spanMs);
      }
      this.#segment++;
    }
    return undefined;
  }

  /** Arrivals the schedule has not handed out yet (counted, not walked). */
  remaining(): number {
    return Math.max(0, Math.ceil(this.total - 1e-9) - this.#k);
  }

  /** Arrivals handed out so far. */
  get issued(): number {
    return this.#k;
  }
}
