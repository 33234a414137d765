import { describe, expect, it } from "vitest";
import { planExecutor, validateExecutor } from "./index.ts";

describe("executor configs", () => {
  it("report every problem at once, each naming its field", () => {
    const problems = validateExecutor({
      executor: "constant-arrival-rate",
      rate: -5,
      duration: "ten",
      maxVUs: 0,
      colour: 1,
    });
    expect(problems).toEqual([
      expect.stringContaining("constant-arrival-rate.colour is not an option"),
      "constant-arrival-rate.rate must be a number >= 0, got -5",
      expect.stringContaining("constant-arrival-rate.duration must be a positive duration"),
      "constant-arrival-rate.maxVUs must be an integer >= 1, got 0",
    ]);
  });

  it("name the known executors when given an unknown one", () => {
    expect(validateExecutor({ executor: "per-vu-iterations" })[0]).toBe(
      'executor "per-vu-iterations" is unknown (known: constant-arrival-rate, ramping-arrival-rate, constant-vus, ramping-vus)',
    );
  });

  it("reject stages that never rise above zero and malformed stages", () => {
    expect(validateExecutor({ executor: "ramping-arrival-rate", stages: [{ duration: "10s", target: 0 }] })).toEqual([
      "ramping-arrival-rate.stages never rise above rate 0: nothing would be sent",
    ]);
    expect(validateExecutor({ executor: "ramping-vus", stages: [{ duration: "1s", target: 1.5 }, {}] })).toHaveLength(
      3,
    );
    expect(validateExecutor({ executor: "ramping-vus", stages: [] })).toEqual([
      "ramping-vus.stages must be a non-empty list of { duration, target }",
    ]);
  });

  it("plan a constant arrival rate before anything runs", () => {
    const plan = planExecutor({ executor: "constant-arrival-rate", rate: 30, timeUnit: "1m", duration: "2m" });
    expect(plan).toMatchObject({
      model: "open",
      durationMs: 120_000,
      plannedRequests: 60,
      peak: 0.5,
      maxInFlight: 100,
    });
    expect(plan.summary).toBe("constant-arrival-rate 0.5/s for 2m (60 requests, at most 100 in flight)");
  });

  it("plan ramps from their stages", () => {
    const open = planExecutor({
      executor: "ramping-arrival-rate",
      startRate: 10,
      stages: [
        { duration: "10s", target: 100 },
        { duration: "5s", target: 100 },
      ],
    });
    expect(open.points).toEqual([
      { atMs: 0, value: 10 },
      { atMs: 10_000, value: 100 },
      { atMs: 15_000, value: 100 },
    ]);
    expect(open.plannedRequests).toBe(550 + 500);
    expect(open.maxInFlight).toBe(1000);
    const closed = planExecutor({ executor: "ramping-vus", stages: [{ duration: "30s", target: 20 }] });
    expect(closed).toMatchObject({ model: "closed", durationMs: 30_000, peak: 20, plannedRequests: undefined });
    expect(closed.summary).toBe("ramping-vus 1 -> 20 VUs over 30s (closed model)");
  });
});

describe("executor ceilings", () => {
  it("refuse arrival rates above one million per second", () => {
    expect(validateExecutor({ executor: "constant-arrival-rate", rate: 2e9, timeUnit: "1m", duration: "1s" })).toEqual([
      "constant-arrival-rate.rate is 33333333.33/s, above the ceiling of 1000000/s",
    ]);
    expect(validateExecutor({ executor: "ramping-arrival-rate", stages: [{ duration: "1s", target: 5e6 }] })).toEqual([
      "ramping-arrival-rate.stages peak at 5000000/s, above the ceiling of 1000000/s",
    ]);
  });
});
