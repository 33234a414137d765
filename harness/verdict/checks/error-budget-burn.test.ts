import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { errorBudgetBurn } from "./error-budget-burn.ts";

/** 100 req/s for 60 s; 1% errors in [0, 30 s), 0.05% in [30 s, 60 s). */
function timeline(): Timeline {
  const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
  const s = t.series("http_req_failed", "rate", { endpoint: "orders" });
  for (let i = 0; i < 6000; i++) {
    const ms = i * 10;
    s.rate(ms < 30_000 ? i % 100 === 0 : i % 2000 === 0, ms);
  }
  t.close(60_000);
  return t;
}

describe("error_budget_burn", () => {
  it("divides the error rate by the SLO's allowed rate over the whole run", () => {
    const r = errorBudgetBurn({ sloErrorRate: 0.001 }).measure({ timeline: timeline(), tags: {}, endMs: 60_000 });
    expect(r).toMatchObject({ measured: true, unit: "" });
    if (!r.measured) return;
    // (30 + 1.5) errors of 6000 -> 0.525%, 5.25x a 0.1% budget.
    expect(r.value).toBeCloseTo(31 / 6000 / 0.001, 6);
    console.log(`error_budget_burn ${r.value}: ${r.detail}`);
  });

  it("narrows to the last windowMs and to the threshold's phase windows", () => {
    const t = timeline();
    const trailing = errorBudgetBurn({ windowMs: "30s" }).measure({ timeline: t, tags: {}, endMs: 60_000 });
    expect(trailing).toMatchObject({ measured: true });
    if (trailing.measured) expect(trailing.value).toBeCloseTo(1 / 3000 / 0.001, 6);
    const phase = errorBudgetBurn({ sloErrorRate: 0.01 }).measure({
      timeline: t,
      tags: { endpoint: "orders" },
      windows: [{ fromMs: 0, toMs: 30_000 }],
      endMs: 60_000,
    });
    if (phase.measured) expect(phase.value).toBeCloseTo(1, 6);
    else throw new Error(phase.reason);
  });

  it("reads whole intervals only, so a neighbouring phase's errors do not leak in", () => {
    const r = errorBudgetBurn({ sloErrorRate: 0.001 }).measure({
      timeline: timeline(),
      tags: {},
      windows: [{ fromMs: 29_500, toMs: 60_000 }],
      endMs: 60_000,
    });
    if (!r.measured) throw new Error(r.reason);
    expect(r.value).toBeCloseTo(1 / 3000 / 0.001, 6);
  });

  it("is not measured without samples", () => {
    const t = timeline();
    expect(errorBudgetBurn().measure({ timeline: t, tags: { endpoint: "x" }, endMs: 60_000 })).toEqual({
      measured: false,
      reason: "no samples of http_req_failed in the window",
    });
    expect(errorBudgetBurn({ metric: "nope" }).measure({ timeline: t, tags: {}, endMs: 60_000 })).toEqual({
      measured: false,
      reason: "metric nope was never recorded",
    });
  });

  it("rejects an SLO error rate outside (0, 1)", () => {
    expect(() => errorBudgetBurn({ sloErrorRate: 0 })).toThrow(/sloErrorRate must be a number between 0 and 1/);
  });
});
