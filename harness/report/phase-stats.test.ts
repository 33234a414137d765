import { describe, expect, it } from "vitest";
import { syntheticRun } from "./fixtures/synthetic-run.ts";
import { phaseStats } from "./phase-stats.ts";

describe("phaseStats", () => {
  it("shows the outage in the fault phase and a clean steady phase", () => {
    const { json, summary } = syntheticRun();
    const stats = phaseStats(json, summary.phases);
    const byName = Object.fromEntries(stats.map((s) => [s.phase.name, s]));
    console.log(
      stats
        .map((s) => `${s.phase.name}: ${s.requests} req, err ${s.errorRate?.toFixed(4)}, p99 ${s.p99Ms} ms`)
        .join("; "),
    );
    expect(byName.steady!.requests).toBe(750);
    expect(byName.steady!.rps).toBe(50);
    expect(byName.steady!.errorRate).toBe(0);
    expect(byName.steady!.p99Ms).toBeLessThan(100);
    expect(byName.fault!.errorRate).toBeGreaterThan(0.3);
    expect(byName.fault!.p99Ms).toBeGreaterThan(2000);
  });

  it("returns nothing without phases", () => {
    expect(phaseStats(syntheticRun().json, [])).toEqual([]);
  });
});
