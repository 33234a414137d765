import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { lostWrites } from "./lost-writes.ts";

const measure = (t: Timeline) => lostWrites().measure({ timeline: t, tags: {}, endMs: t.endMs });

describe("lost_writes", () => {
  it("reads the lost count of the last verify event and reports indeterminate writes apart", () => {
    const t = new Timeline({ clock: manualClock() });
    t.event("verify", "lost_writes", { acknowledged: 900, lost: 9, indeterminate: 4, lostIds: ["w1", "w2"] }, 50_000);
    t.event("verify", "lost_writes", { acknowledged: 1000, lost: 2, indeterminate: 3, lostIds: ["w7", "w9"] }, 55_000);
    const r = measure(t);
    expect(r).toMatchObject({ measured: true, value: 2, unit: "count" });
    if (!r.measured) return;
    expect(r.data).toEqual({ acknowledged: 1000, lost: 2, indeterminate: 3, lostIds: ["w7", "w9"] });
    expect(r.detail).toBe(
      "2 of 1000 acknowledged writes lost (e.g. w7, w9); 3 indeterminate (timed out, not counted as lost)",
    );
  });

  it("counts zero lost as a measured zero", () => {
    const t = new Timeline({ clock: manualClock() });
    t.event("verify", "lost_writes", { acknowledged: 10, lost: 0, indeterminate: 0, lostIds: [] }, 1000);
    expect(measure(t)).toMatchObject({ measured: true, value: 0 });
  });

  it("is not measured when the verifier never reported or reported no count", () => {
    const t = new Timeline({ clock: manualClock() });
    expect(measure(t)).toEqual({
      measured: false,
      reason: "the writes verifier never reported (no verify/lost_writes event)",
    });
    t.event("verify", "lost_writes", { acknowledged: 10 }, 1000);
    expect(measure(t)).toMatchObject({ measured: false, reason: "the verify/lost_writes event carries no lost count" });
  });

  it("takes no params", () => {
    expect(() => lostWrites({ anything: 1 })).toThrow(/unknown param 'anything'/);
  });
});
