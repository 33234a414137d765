import { describe, expect, it } from "vitest";
import { type ManualClock, manualClock, Timeline } from "../timeline/index.ts";
import { checkAbort, shouldAbort } from "./abort.ts";
import { parseThresholds } from "./parse.ts";

/** A run whose error rate is 50% from 10 s on, written up to `clock` now. */
function failingRun(clock: ManualClock, untilMs: number, t = new Timeline({ clock, intervalMs: 1000 })): Timeline {
  const s = t.series("http_req_failed", "rate");
  while (clock.nowMs() < untilMs) {
    s.rate(clock.nowMs() >= 10_000 && clock.nowMs() % 20 === 0);
    clock.advance(10);
  }
  return t;
}

describe("shouldAbort (abortOnFail during the run)", () => {
  it("aborts once an abortOnFail threshold fails, and not before", () => {
    const clock = manualClock();
    const thresholds = parseThresholds({ http_req_failed: [{ threshold: "rate<0.1", abortOnFail: true }] });
    const t = failingRun(clock, 10_000);
    expect(shouldAbort(t, thresholds, clock.nowMs())).toBe(false);
    failingRun(clock, 15_000, t);
    const d = checkAbort(t, thresholds, clock.nowMs());
    expect(d.abort).toBe(true);
    expect(d.breached.map((r) => [r.metric, r.expression, r.status])).toEqual([
      ["http_req_failed", "rate<0.1", "fail"],
    ]);
  });

  it("ignores failing thresholds without abortOnFail", () => {
    const clock = manualClock();
    const t = failingRun(clock, 20_000);
    expect(shouldAbort(t, { http_req_failed: ["rate<0.1"] }, clock.nowMs())).toBe(false);
  });

  it("honours delayAbortEval: no abort until the run is older than the delay", () => {
    const clock = manualClock();
    const thresholds = { http_req_failed: [{ threshold: "rate<0.1", abortOnFail: true, delayAbortEval: "30s" }] };
    const t = failingRun(clock, 20_000);
    expect(shouldAbort(t, thresholds, 20_000)).toBe(false);
    expect(shouldAbort(t, thresholds, 30_000)).toBe(false);
    expect(shouldAbort(t, thresholds, 30_001)).toBe(true);
  });

  it("does not abort on a threshold with nothing measured yet (k6 skips empty sinks)", () => {
    const clock = manualClock();
    const t = failingRun(clock, 20_000);
    const thresholds = { "http_req_duration{phase:recovery}": [{ threshold: "p(99)<2000", abortOnFail: true }] };
    expect(shouldAbort(t, thresholds, 20_000)).toBe(false);
  });

  it("does not abort a recovery still in progress, but does once the limit is certainly passed", () => {
    const clock = manualClock();
    const t = new Timeline({ clock, intervalMs: 1000 });
    t.event("fault.inject", "kill", { kind: "kill", target: "db1" }, 10_000);
    failingRun(clock, 25_000, t);
    const thresholds = { recovery_time: [{ threshold: "value<30s", abortOnFail: true }] };
    // 15 s after the fault, not recovered yet: it may still recover within 30 s.
    expect(shouldAbort(t, thresholds, 25_000)).toBe(false);
    failingRun(clock, 41_000, t);
    const d = checkAbort(t, thresholds, 41_000);
    expect(d.abort).toBe(true);
    expect(d.breached[0]!.observedAtLeast).toBe(true);
  });
});
