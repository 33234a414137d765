import { describe, expect, it } from "vitest";
import { fault } from "../faults/index.ts";
import { probe } from "../probes/index.ts";
import { defineScenario, type ScenarioSpec } from "../scenario/define.ts";
import { formatPlan, planRun } from "./plan.ts";

const base: ScenarioSpec = {
  name: "demo",
  description: "a scenario for tests",
  target: { service: "lb", port: 8080 },
  load: {
    executor: { executor: "constant-arrival-rate", rate: 50, timeUnit: "1s", duration: "60s" },
    requests: [{ path: "/users/1" }],
  },
  faults: [{ fault: fault.linkDown({ link: "cache" }), at: "20s", revert: { after: "10s" } }],
  probes: [probe.patroni({ members: ["db1"] })],
  thresholds: { "http_req_failed{phase:steady}": ["rate<0.01"], patroni_member_running: ["value==1"] },
};

function errorOf(spec: ScenarioSpec): string {
  try {
    planRun(defineScenario(spec));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("planRun accepted the scenario");
}

describe("planRun", () => {
  it("plans a valid scenario: executor, faults, probes and thresholds", () => {
    const plan = planRun(defineScenario(base));
    expect(plan.executorPlan.plannedRequests).toBe(3000);
    expect(plan.warmupMs).toBe(10_000);
    expect(plan.faults).toHaveLength(1);
    expect(plan.thresholds.map((t) => t.metric.key)).toEqual([
      "http_req_failed{phase:steady}",
      "patroni_member_running",
    ]);
    expect(formatPlan(plan)).toContain("constant-arrival-rate 50/s for 1m");
  });

  it("reports every problem at once: executor, requests, thresholds and an unknown metric", () => {
    const message = errorOf({
      ...base,
      load: {
        executor: { executor: "constant-arrival-rate", rate: -5, duration: "10s" },
        requests: [{ path: "users" }],
      },
      thresholds: { "http_req_duration{phase:recovry}": ["p(99)<"], nosuch: ["rate<1"] },
    });
    expect(message).toMatch(/rate must be a number >= 0/);
    expect(message).toMatch(/path must start with "\/"/);
    expect(message).toMatch(/no phase 'recovry'/);
    expect(message).toMatch(/no part of this run records a metric 'nosuch'/);
  });

  it("accepts a probe's metrics only when the scenario has that probe", () => {
    expect(errorOf({ ...base, probes: [] })).toMatch(/metric 'patroni_member_running'/);
  });

  it("applies --duration and --rate, and refuses a warmup as long as the load", () => {
    const plan = planRun(defineScenario(base), { duration: "30s", rate: 10 });
    expect(plan.executorPlan.durationMs).toBe(30_000);
    expect(plan.executorPlan.plannedRequests).toBe(300);
    expect(errorOf({ ...base, warmup: "2m" })).toMatch(/warmup 2m is not shorter than the load/);
  });
});
