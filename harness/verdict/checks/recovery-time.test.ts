import { describe, expect, it } from "vitest";
import { HarnessError } from "../../errors.ts";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { recoveryTime } from "./recovery-time.ts";

/**
 * 100 requests/s on a manual clock; `errorAt(ms)` says whether the request at ms fails.
 * Returns the timeline closed at `endMs`.
 */
function run(
  endMs: number,
  errorAt: (ms: number) => boolean,
  inject?: number,
  tags = { endpoint: "orders" },
): Timeline {
  const clock = manualClock();
  const t = new Timeline({ clock, intervalMs: 1000 });
  const failed = t.series("http_req_failed", "rate", tags);
  if (inject !== undefined) t.event("fault.inject", "kill-db1", { kind: "kill", target: "db1" }, inject);
  while (clock.nowMs() < endMs) {
    failed.rate(errorAt(clock.nowMs()));
    clock.advance(10);
  }
  t.close(endMs);
  return t;
}

const measure = (t: Timeline, params?: Record<string, unknown>, tags: Record<string, string> = {}) =>
  recoveryTime(params).measure({ timeline: t, tags, endMs: t.endMs });

describe("recovery_time", () => {
  it("measures from the inject to the start of the first interval that stays under 1% for 5 s", () => {
    const t = run(60_000, (ms) => ms >= 20_300 && ms < 31_500, 20_300);
    const r = measure(t);
    expect(r).toMatchObject({ measured: true, unit: "ms" });
    if (!r.measured) return;
    // Errors stop at 31.5 s: interval [31 s, 32 s) is half errors, so the streak starts at 32 s.
    expect(r.value).toBe(32_000 - 20_300);
    expect(r.atLeast).toBeUndefined();
    expect(r.detail).toMatch(
      /fault kill-db1 at 20\.3 s; error rate under 1\.00% from 32\.0 s, held 5\.0 s; peak 100\.00%/,
    );
    console.log(`recovery_time ${r.value} ms: ${r.detail}`);
  });

  it("is 0 when the fault never raised the error rate", () => {
    const r = measure(run(30_000, () => false, 10_500));
    expect(r).toMatchObject({ measured: true, value: 0 });
  });

  it("restarts the hold when errors come back before it is complete", () => {
    // Clean 25-28 s (3 s < hold), errors again 28-30 s, clean from 30 s.
    const t = run(60_000, (ms) => (ms >= 20_000 && ms < 25_000) || (ms >= 28_000 && ms < 30_000), 20_000);
    const r = measure(t);
    expect(r).toMatchObject({ measured: true, value: 10_000 });
  });

  it("honours errorRateLimit and holdMs (a duration string)", () => {
    // 2% errors after the fault never drops under 1%, but does under 5%.
    const t = run(40_000, (ms) => ms >= 10_000 && ms % 1000 < 20, 10_000);
    expect(measure(t)).toMatchObject({ measured: true, atLeast: true });
    expect(measure(t, { errorRateLimit: 0.05, holdMs: "2s" })).toMatchObject({ measured: true, value: 0 });
  });

  it("fails a run that never recovered: measured as at least the time to the end, never excused", () => {
    const t = run(45_000, (ms) => ms >= 20_000, 20_000);
    const r = measure(t);
    expect(r).toMatchObject({ measured: true, value: 25_000, atLeast: true });
    if (r.measured) expect(r.detail).toMatch(/^never recovered/);
  });

  it("does not count a recovery whose hold the run ended before", () => {
    const t = run(33_000, (ms) => ms >= 20_000 && ms < 30_000, 20_000);
    expect(measure(t)).toMatchObject({ measured: true, atLeast: true, value: 13_000 });
  });

  it("treats an interval without requests as not recovered (silence is not health)", () => {
    const t = run(40_000, (ms) => ms >= 10_000 && ms < 12_000, 10_000);
    const sparse = new Timeline({ clock: manualClock(), intervalMs: 1000 });
    sparse.event("fault.inject", "f", {}, 10_000);
    const s = sparse.series("http_req_failed", "rate");
    for (let ms = 0; ms < 40_000; ms += 10) {
      if (ms >= 12_000 && ms < 25_000 && Math.floor(ms / 1000) % 3 === 0) continue; // every third second silent
      s.rate(ms >= 10_000 && ms < 12_000, ms);
    }
    sparse.close(40_000);
    expect(measure(t)).toMatchObject({ measured: true, value: 2000 });
    expect(measure(sparse)).toMatchObject({ measured: true, value: 25_000 - 10_000 });
  });

  it("filters series by the threshold's tags", () => {
    const t = run(40_000, (ms) => ms >= 10_000 && ms < 20_000, 10_000, { endpoint: "orders" });
    const users = t.series("http_req_failed", "rate", { endpoint: "users" });
    for (let ms = 0; ms < 40_000; ms += 10) users.rate(false, ms);
    expect(measure(t, {}, { endpoint: "users" })).toMatchObject({ measured: true, value: 0 });
    expect(measure(t, {}, { endpoint: "orders" })).toMatchObject({ measured: true, value: 10_000 });
  });

  it("measures from the named fault when faultId is given", () => {
    const t = run(60_000, (ms) => ms >= 30_000 && ms < 40_000, 5_000);
    t.event("fault.inject", "second", { kind: "kill" }, 30_000);
    expect(measure(t, { faultId: "second" })).toMatchObject({ measured: true, value: 10_000 });
    expect(measure(t, { faultId: "third" })).toEqual({ measured: false, reason: "fault third was never injected" });
  });

  const notMeasured: Array<[string, () => Timeline, RegExp]> = [
    ["no fault was injected", () => run(10_000, () => false), /^no fault was injected$/],
    [
      "the metric was never recorded",
      () => {
        const t = new Timeline({ clock: manualClock() });
        t.event("fault.inject", "f", {}, 100);
        return t;
      },
      /metric http_req_failed was never recorded/,
    ],
    [
      "no request followed the fault",
      () => {
        const t = run(10_000, () => false);
        t.event("fault.inject", "late", {}, 10_000);
        t.close(20_000);
        return t;
      },
      /no samples of http_req_failed after fault late at 10\.0 s/,
    ],
  ];
  it.each(notMeasured)("is not measured when %s", (_why, build, reason) => {
    const r = measure(build());
    expect(r.measured).toBe(false);
    if (!r.measured) expect(r.reason).toMatch(reason);
  });

  it("rejects bad params all at once", () => {
    let caught: unknown;
    try {
      recoveryTime({ errorRateLimit: 2, holdMs: "soon", typo: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HarnessError);
    const e = caught as HarnessError;
    expect(e.code).toBe("HARNESS_SCENARIO_INVALID");
    expect(e.message).toMatch(/errorRateLimit must be a number between 0 and 1/);
    expect(e.message).toMatch(/holdMs must be a positive duration/);
    expect(e.message).toMatch(/unknown param 'typo'/);
  });
});
