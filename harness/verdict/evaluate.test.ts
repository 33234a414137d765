import { describe, expect, it } from "vitest";
import { HarnessError } from "../errors.ts";
import { manualClock, Timeline } from "../timeline/index.ts";
import { compare, evaluate } from "./evaluate.ts";
import type { ThresholdOperator, ThresholdsConfig } from "./parse.ts";
import type { ThresholdResult } from "./types.ts";
import { exitCodeFor } from "./verdict.ts";

/** 1..100 ms latencies at 100/s from 0 to 1 s, plus counters, a rate and a gauge. */
function basicTimeline(): Timeline {
  const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
  const users = t.series("http_req_duration", "trend", { endpoint: "users", method: "GET" }, "ms");
  const orders = t.series("http_req_duration", "trend", { endpoint: "orders", method: "POST" }, "ms");
  for (let i = 1; i <= 100; i++) users.trend(i, i * 9);
  for (let i = 0; i < 10; i++) orders.trend(1000 + i, 500 + i);
  const failed = t.series("http_req_failed", "rate", { endpoint: "users" });
  for (let i = 0; i < 100; i++) failed.rate(i < 3, i * 9);
  t.series("http_reqs", "counter", { endpoint: "users" }).count(100, 900);
  t.series("generator_event_loop_lag", "gauge", {}, "ms").gauge(12, 100);
  t.series("generator_event_loop_lag", "gauge", {}, "ms").gauge(7, 1500);
  t.define("generator_dropped", "counter");
  t.series("app_breaker_state", "gauge", { app: "app1" }).gauge(0, 100);
  t.close(2000);
  return t;
}

function one(t: Timeline, metric: string, expr: string): ThresholdResult {
  const v = evaluate(t, { [metric]: [expr] });
  expect(v.thresholds).toHaveLength(1);
  return v.thresholds[0]!;
}

describe("evaluate: reading each method", () => {
  const t = basicTimeline();
  const cases: Array<[string, string, "pass" | "fail", number, string]> = [
    ["http_req_duration{endpoint:users}", "avg<51", "pass", 50.5, "ms"],
    ["http_req_duration{endpoint:users}", "avg<50", "fail", 50.5, "ms"],
    ["http_req_duration{endpoint:users}", "min==1", "pass", 1, "ms"],
    ["http_req_duration{endpoint:users}", "max===100", "pass", 100, "ms"],
    ["http_req_duration{endpoint:users}", "med<=50.1", "pass", 50, "ms"],
    ["http_req_duration{endpoint:users}", "p(90)<90", "fail", 90, "ms"],
    ["http_req_duration{endpoint:users}", "p(90)<=90.1", "pass", 90, "ms"],
    ["http_req_duration{endpoint:users}", "p(99.5)>=100", "pass", 100, "ms"],
    ["http_req_duration", "max<1s", "fail", 1009, "ms"],
    ["http_req_duration", "max<1.01s", "pass", 1009, "ms"],
    ["http_req_duration{method:POST}", "min>=1s", "pass", 1000, "ms"],
    ["http_req_duration{endpoint:orders,method:POST}", "p(50)<1005", "pass", 1004, "ms"],
    ["http_req_failed", "rate<0.05", "pass", 0.03, "rate"],
    ["http_req_failed", "rate<0.01", "fail", 0.03, "rate"],
    ["http_req_failed{endpoint:users}", "rate!=0", "pass", 0.03, "rate"],
    ["http_reqs", "count==100", "pass", 100, "count"],
    ["http_reqs", "rate>=50", "pass", 50, "/s"],
    ["http_reqs{endpoint:users}", "count>100", "fail", 100, "count"],
    ["generator_event_loop_lag", "value<10", "pass", 7, "ms"],
    ["generator_event_loop_lag", "value<5ms", "fail", 7, "ms"],
    ["generator_dropped", "count==0", "pass", 0, "count"],
  ];
  it.each(cases)("%s %s -> %s (observed %d %s)", (metric, expr, status, observed, unit) => {
    const r = one(t, metric, expr);
    expect(r.status).toBe(status);
    // Percentiles are HdrHistogram bucket tops: within 0.1% (3 significant digits) above the sample.
    expect(Math.abs(r.observed! - observed)).toBeLessThanOrEqual(observed * 0.001 + 1e-9);
    expect(r.unit).toBe(unit);
    expect(r.metric).toBe(metric);
    expect(r.expression).toBe(expr);
    if (status === "fail") expect(r.reason).toMatch(/not (<|<=|>|>=|==|===|!=) /);
  });
});

describe("evaluate: not measured, never a pass", () => {
  const t = basicTimeline();
  const cases: Array<[string, string, RegExp]> = [
    ["nope", "count==0", /metric nope was never recorded/],
    ["http_req_duration{endpoint:nope}", "p(99)<1", /no samples of http_req_duration\{endpoint:nope\} in the run/],
    ["http_req_failed{endpoint:nope}", "rate<1", /no samples of http_req_failed\{endpoint:nope\}/],
    ["http_reqs{endpoint:nope}", "count==0", /no series of http_reqs match \{endpoint:nope\}/],
    ["http_req_duration{phase:recovery}", "p(99)<2000", /phase recovery never started/],
    ["app_breaker_state", "p(99)<1", /p\(N\) does not apply to app_breaker_state, a gauge metric; use value/],
    ["app_breaker_state{app:app1}", "value<1s", /is a duration, but the metric's unit is 'none'/],
  ];
  it.each(cases)("%s %s: %s", (metric, expr, reason) => {
    const r = one(t, metric, expr);
    expect(r.status).toBe("not_measured");
    expect(r.reason).toMatch(reason);
    expect(r.observed === undefined || r.status === "not_measured").toBe(true);
  });

  it("makes a run with only unmeasured thresholds invalid (exit 4), listing why", () => {
    const v = evaluate(t, { "http_req_duration{phase:recovery}": ["p(99)<2000"], http_req_failed: ["rate<0.05"] });
    expect(v.status).toBe("invalid");
    expect(exitCodeFor(v)).toBe(4);
    expect(v.invalidReasons).toEqual([
      "not measured: http_req_duration{phase:recovery} p(99)<2000: phase recovery never started",
    ]);
  });

  it("lets a measured failure win over a threshold not measured (exit 1)", () => {
    const v = evaluate(t, { nope: ["value<1"], http_req_failed: ["rate<0.01"] });
    expect(v.status).toBe("fail");
    expect(exitCodeFor(v)).toBe(1);
    expect(v.invalidReasons).toHaveLength(1);
  });
});

describe("evaluate: phase windows", () => {
  /** steady 0-20.3 s clean, fault 20.3-30 s with errors from 20.4 s, recovery 30-40 s clean but slow. */
  function phased(): Timeline {
    const clock = manualClock();
    const t = new Timeline({ clock, intervalMs: 1000 });
    const lat = t.series("http_req_duration", "trend", { endpoint: "orders" }, "ms");
    const failed = t.series("http_req_failed", "rate", { endpoint: "orders" });
    t.event("phase", "steady", {}, 0);
    t.event("phase", "fault", {}, 20_300);
    t.event("fault.inject", "kill-leader", { kind: "kill", target: "db1" }, 20_300);
    t.event("phase", "recovery", {}, 30_000);
    for (let ms = 0; ms < 40_000; ms += 10) {
      const inFault = ms >= 20_400 && ms < 30_000;
      failed.rate(inFault && ms % 20 === 0, ms);
      lat.trend(ms >= 30_000 ? 1500 : inFault ? 5000 : 20, ms);
    }
    t.close(40_000);
    return t;
  }

  it("keeps a fault's first errors out of the steady phase before it", () => {
    const r = one(phased(), "http_req_failed{phase:steady}", "rate<0.001");
    expect(r.status).toBe("pass");
    expect(r.observed).toBe(0);
  });

  it("judges the fault and recovery phases on their own samples", () => {
    const t = phased();
    const v = evaluate(t, {
      "http_req_failed{phase:fault}": ["rate<0.01"],
      "http_req_duration{phase:recovery}": ["p(99)<2s", "min>=1500"],
      "http_req_duration{phase:steady,endpoint:orders}": ["max<=20"],
    });
    expect(v.thresholds.map((r) => [r.metric, r.expression, r.status])).toEqual([
      ["http_req_failed{phase:fault}", "rate<0.01", "fail"],
      ["http_req_duration{phase:recovery}", "p(99)<2s", "pass"],
      ["http_req_duration{phase:recovery}", "min>=1500", "pass"],
      ["http_req_duration{phase:steady,endpoint:orders}", "max<=20", "pass"],
    ]);
    expect(v.thresholds[0]!.observed).toBeCloseTo(0.5, 2);
  });

  it("reads the union of a phase's windows when it comes back", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
    const c = t.series("http_reqs", "counter");
    t.event("phase", "steady", {}, 0);
    t.event("phase", "fault", {}, 5000);
    t.event("phase", "steady", {}, 10_000);
    for (let s = 0; s < 15; s++) c.count(s < 5 || s >= 10 ? 10 : 1000, s * 1000 + 500);
    t.close(15_000);
    const r = one(t, "http_reqs{phase:steady}", "count==100");
    expect(r.status).toBe("pass");
    expect(one(t, "http_reqs{phase:steady}", "rate==10").status).toBe("pass");
  });

  it("says a phase shorter than one interval was not measured", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
    t.series("http_req_failed", "rate").rate(false, 100);
    t.event("phase", "fault", {}, 1200);
    t.event("phase", "recovery", {}, 1800);
    t.series("http_req_failed", "rate").rate(false, 5000);
    const r = one(t, "http_req_failed{phase:fault}", "rate<0.1");
    expect(r.status).toBe("not_measured");
    expect(r.reason).toMatch(/phase fault is shorter than one timeline interval \(1000 ms\)/);
  });

  it("says which phase had no samples", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
    t.series("http_req_duration", "trend", {}, "ms").trend(5, 500);
    t.event("phase", "recovery", {}, 3000);
    t.close(10_000);
    const r = one(t, "http_req_duration{phase:recovery}", "p(99)<2000");
    expect(r.status).toBe("not_measured");
    expect(r.reason).toBe("no samples of http_req_duration in phase recovery");
  });
});

describe("evaluate: units", () => {
  it("converts a duration value to a trend recorded in seconds", () => {
    const t = new Timeline({ clock: manualClock() });
    t.series("job_duration", "trend", {}, "s").trend(0.4, 10);
    expect(one(t, "job_duration", "max<500ms").status).toBe("pass");
    expect(one(t, "job_duration", "max<300ms").status).toBe("fail");
    expect(one(t, "job_duration", "max<0.5").status).toBe("pass");
  });

  it("refuses a duration against a metric without a time unit", () => {
    const t = new Timeline({ clock: manualClock() });
    t.series("queue_depth", "gauge").gauge(3, 10);
    const r = one(t, "queue_depth", "value<5s");
    expect(r.status).toBe("not_measured");
    expect(r.reason).toMatch(/is a duration, but the metric's unit is 'none'/);
  });
});

describe("verdict rules", () => {
  const t = basicTimeline();
  it("passes when every threshold holds, and with no thresholds (as k6)", () => {
    expect(evaluate(t, { http_req_failed: ["rate<0.05"] }).status).toBe("pass");
    const empty = evaluate(t, {});
    expect(empty.status).toBe("pass");
    expect(exitCodeFor(empty)).toBe(0);
  });

  it("is invalid when the run was invalid, even if every threshold held", () => {
    const v = evaluate(
      t,
      { http_req_failed: ["rate<0.05"] },
      { runValidity: { invalidReasons: ["generator saturated"] } },
    );
    expect(v.status).toBe("invalid");
    expect(v.invalidReasons).toEqual(["generator saturated"]);
  });

  it("reads validity events from the timeline", () => {
    const tv = basicTimeline();
    tv.event("validity", "generator_late", { message: "12% of requests sent late" }, 1000);
    const v = evaluate(tv, { http_req_failed: ["rate<0.05"] });
    expect(v.status).toBe("invalid");
    expect(v.invalidReasons).toEqual(["generator_late: 12% of requests sent late"]);
  });

  it("is aborted when the run was interrupted (exit 130)", () => {
    const v = evaluate(t, { http_req_failed: ["rate<0.01"] }, { runValidity: { aborted: true } });
    expect(v.status).toBe("aborted");
    expect(exitCodeFor(v)).toBe(130);
    expect(v.thresholds[0]!.status).toBe("fail");
  });

  it("throws HARNESS_THRESHOLD_INVALID naming the scenario file for a bad threshold", () => {
    const bad: ThresholdsConfig = { http_req_failed: ["rate<<1"] };
    expect(() => evaluate(t, bad, { scenarioFile: "scenarios/x.ts" })).toThrow(HarnessError);
    expect(() => evaluate(t, bad, { scenarioFile: "scenarios/x.ts" })).toThrow(/^scenarios\/x\.ts: invalid threshold/);
  });
});

describe("compare", () => {
  const table: Array<[number, ThresholdOperator, number, boolean]> = [
    [1, "<", 2, true],
    [2, "<", 2, false],
    [2, "<=", 2, true],
    [3, ">", 2, true],
    [2, ">", 2, false],
    [2, ">=", 2, true],
    [2, "==", 2, true],
    [2, "===", 2, true],
    [0.1 + 0.2, "==", 0.3, false],
    [2, "!=", 2, false],
    [2, "!=", 3, true],
    [Number.POSITIVE_INFINITY, "<", 30_000, false],
  ];
  it.each(table)("%d %s %d is %s (float comparison, as k6)", (a, op, b, expected) => {
    expect(compare(a, op, b)).toBe(expected);
  });
});

describe("evaluate: resilience checks as metrics", () => {
  /** Fault at 20 s; errors until `recoverAtMs` (or the end); leader change at 31.2 s; verify at the end. */
  function failover(recoverAtMs: number, lost = 0): Timeline {
    const clock = manualClock();
    const t = new Timeline({ clock, intervalMs: 1000 });
    const failed = t.series("http_req_failed", "rate", { endpoint: "orders" });
    t.event("phase", "steady", {}, 0);
    t.event("probe", "patroni.leader", { leader: "db1" }, 500);
    t.event("phase", "fault", {}, 20_000);
    t.event("fault.inject", "kill-leader", { kind: "kill", target: "db1", role: "leader" }, 20_000);
    t.event("probe", "patroni.leader", { leader: "db2", previous: "db1" }, 31_200);
    t.event("phase", "recovery", {}, 34_000);
    for (let ms = 0; ms < 60_000; ms += 10) failed.rate(ms >= 20_000 && ms < recoverAtMs, ms);
    t.event("verify", "lost_writes", { acknowledged: 500, lost, indeterminate: 2, lostIds: [] }, 60_000);
    return t;
  }
  const slos: ThresholdsConfig = {
    recovery_time: ["value<30s"],
    failover_time: ["value<15s"],
    lost_writes: ["value==0"],
    "http_req_failed{phase:steady}": ["rate<0.001"],
    "error_budget_burn{phase:recovery}": ["value<1"],
  };

  it("passes a run that failed over and recovered in time", () => {
    const v = evaluate(failover(33_000), slos);
    expect(v.thresholds.map((r) => [r.metric, r.status, r.observed])).toEqual([
      ["recovery_time", "pass", 13_000],
      ["failover_time", "pass", 11_200],
      ["lost_writes", "pass", 0],
      ["http_req_failed{phase:steady}", "pass", 0],
      ["error_budget_burn{phase:recovery}", "pass", expect.any(Number)],
    ]);
    expect(v.thresholds[0]!.detail).toMatch(/fault kill-leader at 20\.0 s/);
    expect(v.status).toBe("pass");
  });

  it("fails a run that never recovered, with the observed lower bound JSON can carry", () => {
    const v = evaluate(failover(Number.POSITIVE_INFINITY, 3), slos);
    const rec = v.thresholds[0]!;
    expect(rec).toMatchObject({ status: "fail", observed: 40_000, observedAtLeast: true, unit: "ms" });
    expect(rec.reason).toMatch(/^at least 40000 ms: never recovered/);
    expect(JSON.parse(JSON.stringify(rec)).observed).toBe(40_000);
    expect(v.thresholds[2]).toMatchObject({ metric: "lost_writes", status: "fail", observed: 3 });
    expect(v.status).toBe("fail");
  });

  it("passes checkParams to the checks", () => {
    const t = failover(33_000);
    const strict = evaluate(t, { recovery_time: ["value<30s"] }, { checkParams: { recovery_time: { holdMs: "40s" } } });
    expect(strict.thresholds[0]).toMatchObject({ status: "fail", observedAtLeast: true });
    expect(() => evaluate(t, {}, { checkParams: { recovery_time: { holdMs: -1 } } })).toThrow(/holdMs/);
  });

  it("reports a check that could not measure as not measured, with its reason", () => {
    const t = new Timeline({ clock: manualClock() });
    t.series("http_req_failed", "rate").rate(false, 100);
    const v = evaluate(t, { recovery_time: ["value<30s"] });
    expect(v.thresholds[0]).toMatchObject({ status: "not_measured", reason: "recovery_time: no fault was injected" });
    expect(v.status).toBe("invalid");
  });
});
