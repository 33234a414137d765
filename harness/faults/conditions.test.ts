import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../timeline/index.ts";
import { errorRateHeld } from "./conditions.ts";

/** 10 requests per second from `fromS` to `toS`; `failedPerS` of them failed in each second. */
function traffic(t: Timeline, fromS: number, toS: number, failedPerS: number, tags = { endpoint: "orders" }) {
  const s = t.series("http_req_failed", "rate", tags);
  for (let sec = fromS; sec < toS; sec++) for (let i = 0; i < 10; i++) s.rate(i < failedPerS, sec * 1000 + i * 100);
}

describe("errorRateHeld", () => {
  it("holds once every complete interval of the stretch stayed strictly under the limit", () => {
    const t = new Timeline({ clock: manualClock() });
    traffic(t, 0, 5, 5);
    traffic(t, 5, 20, 0);
    const q = { maxErrorRate: 0.01, forMs: 10_000 };
    expect(errorRateHeld(t, { ...q, nowMs: 14_999 })).toMatchObject({ held: false, streak: 9, needed: 10 });
    expect(errorRateHeld(t, { ...q, nowMs: 15_000 })).toMatchObject({ held: true, streak: 10, lastRate: 0 });
  });

  it("ignores the interval still in progress", () => {
    const t = new Timeline({ clock: manualClock() });
    traffic(t, 0, 3, 0);
    // Errors in the current, unfinished interval do not count yet.
    traffic(t, 3, 4, 10);
    expect(errorRateHeld(t, { maxErrorRate: 0.5, forMs: 3000, nowMs: 3500 }).held).toBe(true);
    expect(errorRateHeld(t, { maxErrorRate: 0.5, forMs: 3000, nowMs: 4000 }).held).toBe(false);
  });

  it("breaks the streak on an interval with too few samples", () => {
    const t = new Timeline({ clock: manualClock() });
    traffic(t, 0, 3, 0);
    traffic(t, 4, 8, 0);
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 5000, nowMs: 8000 })).toMatchObject({
      held: false,
      streak: 4,
    });
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 4000, nowMs: 8000, minSamples: 11 })).toMatchObject({
      held: false,
      streak: 0,
      lastRate: undefined,
    });
  });

  it("counts only intervals that start at or after sinceMs", () => {
    const t = new Timeline({ clock: manualClock() });
    traffic(t, 0, 10, 0);
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 3000, nowMs: 10_000, sinceMs: 7500 }).held).toBe(false);
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 2000, nowMs: 10_000, sinceMs: 7500 }).held).toBe(true);
  });

  it("reads the tagged series only, and any rate metric", () => {
    const t = new Timeline({ clock: manualClock() });
    traffic(t, 0, 5, 0, { endpoint: "users" });
    traffic(t, 0, 5, 10, { endpoint: "orders" });
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 5000, nowMs: 5000 }).held).toBe(false);
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 5000, nowMs: 5000, tags: { endpoint: "users" } }).held).toBe(
      true,
    );
    expect(errorRateHeld(t, { maxErrorRate: 0.01, forMs: 1000, nowMs: 5000, metric: "checks_failed" }).held).toBe(
      false,
    );
  });
});
