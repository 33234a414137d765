import { describe, expect, it } from "vitest";
import { judgeValidity } from "./validity.ts";

const healthy = { maxEventLoopLagMs: 5, meanCpu: 0.3, maxCpu: 0.5, periods: 10 };

describe("judgeValidity", () => {
  it("passes a generator that kept its schedule", () => {
    expect(judgeValidity({ model: "open", offered: 1000, sent: 1000, late: 5, dropped: 0, health: healthy })).toEqual({
      valid: true,
      reasons: [],
    });
  });

  it("flags late, dropped and short runs with the figures", () => {
    const v = judgeValidity({ model: "open", offered: 1000, sent: 900, late: 100, dropped: 100, health: healthy });
    expect(v.valid).toBe(false);
    expect(v.reasons.map((r) => r.code)).toEqual(["generator_dropped", "generator_late", "rate_not_achieved"]);
    expect(v.reasons[0]!.message).toContain("100 of 1000 arrivals dropped (10%, limit 0.1%)");
  });

  it("flags a saturated or lagging generator in either model", () => {
    const v = judgeValidity({
      model: "closed",
      offered: 10,
      sent: 10,
      late: 0,
      dropped: 0,
      health: { maxEventLoopLagMs: 450, meanCpu: 0.97, maxCpu: 1, periods: 3 },
    });
    expect(v.reasons.map((r) => r.code)).toEqual(["event_loop_lag", "generator_cpu"]);
  });

  it("takes its limits as options", () => {
    const v = judgeValidity(
      { model: "open", offered: 1000, sent: 1000, late: 80, dropped: 0, health: healthy },
      { maxLateFraction: 0.1 },
    );
    expect(v.valid).toBe(true);
    expect(
      judgeValidity({ model: "open", offered: 1000, sent: 1000, late: 80, dropped: 0, health: healthy }).valid,
    ).toBe(false);
  });
});
