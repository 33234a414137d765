import { describe, expect, it } from "vitest";
import { HarnessError } from "../../errors.ts";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { evaluate } from "../evaluate.ts";
import { breakerOpenTime } from "./breaker-open-time.ts";
import { breakerRun } from "./testing/breaker-run.ts";

const measure = (t: Timeline, params?: Record<string, unknown>, tags: Record<string, string> = {}) =>
  breakerOpenTime(params).measure({ timeline: t, tags, endMs: t.endMs });

describe("breaker_open_time", () => {
  it("measures from the inject to the end of the interval whose scrape first read the faulted link's breaker open", () => {
    // Inject 10.3 s, open 11.4 s, first open reading at 11.5 s (interval [11 s, 12 s)).
    const r = measure(breakerRun());
    expect(r).toMatchObject({ measured: true, unit: "ms", value: 12_000 - 10_300 });
    if (!r.measured) return;
    expect(r.atLeast).toBeUndefined();
    expect(r.detail).toMatch(
      /breaker of shard1 open by 12\.0 s on app1, app2, app3, after fault latency-shard1 at 10\.3 s/,
    );
    console.log(`breaker_open_time ${r.value} ms: ${r.detail}`);
  });

  it("fails a breaker that never opened while the fault lasted: at least the fault's length, never excused", () => {
    const r = measure(breakerRun({ openAtMs: undefined }));
    expect(r).toMatchObject({ measured: true, atLeast: true, value: 22_500 - 10_300 });
    if (r.measured) expect(r.detail).toMatch(/no breaker of shard1 was seen open in \d+ interval readings/);
    const never = measure(breakerRun({ openAtMs: undefined, revertAtMs: undefined }));
    expect(never).toMatchObject({ measured: true, atLeast: true, value: 30_000 - 10_300 });
  });

  it("ignores an open that was first seen after the fault was reverted and its next scrape", () => {
    const t = breakerRun({ openAtMs: undefined, revertAtMs: 15_000 });
    t.series("app_circuit_breaker_state", "gauge", { dependency: "shard1", app: "app1" }).gauge(2, 17_500);
    expect(measure(t)).toMatchObject({ measured: true, atLeast: true, value: 15_000 - 10_300 });
    t.series("app_circuit_breaker_state", "gauge", { dependency: "shard1", app: "app2" }).gauge(2, 15_900);
    expect(measure(t)).toMatchObject({ measured: true, value: 16_000 - 10_300 });
  });

  it("sees an open between two scrapes from the transitions counter alone", () => {
    const t = breakerRun({ openAtMs: undefined });
    // The breaker opened and went half-open between scrapes: the gauge never read 2.
    const opens = t.series("app_circuit_breaker_transitions_total", "gauge", {
      dependency: "shard1",
      to: "open",
      app: "app2",
    });
    opens.gauge(1, 8_500);
    opens.gauge(1, 11_500);
    opens.gauge(2, 13_500);
    const r = measure(t);
    expect(r).toMatchObject({ measured: true, value: 14_000 - 10_300 });
    if (r.measured) expect(r.detail).toMatch(/on app2/);
  });

  it("watches the dependency named by its param, and the threshold's tags pick the apps", () => {
    expect(measure(breakerRun(), { dependency: "shard2" })).toMatchObject({ measured: true, atLeast: true });
    expect(measure(breakerRun(), {}, { app: "app3" })).toMatchObject({ measured: true, value: 1700 });
  });

  const notMeasured: Array<[string, () => Timeline, RegExp]> = [
    ["no fault was injected", () => breakerRun({ injectAtMs: undefined }), /^no fault was injected$/],
    [
      "the app's breaker metrics were never scraped",
      () => breakerRun({ scraped: false }),
      /neither app_circuit_breaker_state nor app_circuit_breaker_transitions_total was recorded for dependency shard1/,
    ],
    [
      "no reading followed the inject",
      () => {
        const t = new Timeline({ clock: manualClock() });
        t.series("app_circuit_breaker_state", "gauge", { dependency: "shard1", app: "app1" }).gauge(0, 500);
        t.event("fault.inject", "latency-shard1", { kind: "latency", link: "shard1" }, 5_000);
        t.close(9_000);
        return t;
      },
      /no reading of shard1's breaker after fault latency-shard1 at 5\.0 s/,
    ],
  ];
  it.each(notMeasured)("is not measured when %s", (_why, build, reason) => {
    const r = measure(build());
    expect(r.measured).toBe(false);
    if (!r.measured) expect(r.reason).toMatch(reason);
  });

  it("is judged in the threshold language with a duration (`value<5s`) and fails when the breaker never opened", () => {
    const on = evaluate(breakerRun(), { breaker_open_time: ["value<5s"] });
    expect(on.status).toBe("pass");
    const off = evaluate(breakerRun({ openAtMs: undefined }), { breaker_open_time: ["value<5s"] });
    expect(off.status).toBe("fail");
    expect(off.thresholds[0]).toMatchObject({ status: "fail", observedAtLeast: true });
  });

  it("rejects bad params all at once", () => {
    let caught: unknown;
    try {
      breakerOpenTime({ dependency: "", typo: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HarnessError);
    expect((caught as HarnessError).code).toBe("HARNESS_SCENARIO_INVALID");
    expect((caught as HarnessError).message).toMatch(/dependency must be a non-empty string.*unknown param 'typo'/);
  });
});
