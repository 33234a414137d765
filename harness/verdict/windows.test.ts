import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "../timeline/types.ts";
import { alignToBuckets, phaseWindows } from "./windows.ts";

const phase = (atMs: number, name: string): TimelineEvent => ({ atMs, kind: "phase", name });

describe("phase windows", () => {
  const events = [
    phase(0, "warmup"),
    { atMs: 4000, kind: "fault.inject", name: "x" },
    phase(5000, "steady"),
    phase(20_300, "fault"),
    phase(30_000, "recovery"),
    phase(40_000, "steady"),
  ];

  it("lasts until the next phase event or the end, and unions repeated phases", () => {
    expect(phaseWindows(events, "warmup", 50_000)).toEqual([{ fromMs: 0, toMs: 5000 }]);
    expect(phaseWindows(events, "steady", 50_000)).toEqual([
      { fromMs: 5000, toMs: 20_300 },
      { fromMs: 40_000, toMs: 50_000 },
    ]);
    expect(phaseWindows(events, "recovery", 35_000)).toEqual([{ fromMs: 30_000, toMs: 35_000 }]);
  });

  it("is undefined for a phase that never started (by the time asked)", () => {
    expect(phaseWindows(events, "post", 50_000)).toBeUndefined();
    expect(phaseWindows(events, "recovery", 25_000)).toBeUndefined();
  });

  it("shrinks windows to whole intervals, keeping the partial interval at the end of the run", () => {
    expect(alignToBuckets([{ fromMs: 5000, toMs: 20_300 }], 1000, 50_000)).toEqual([{ fromMs: 5000, toMs: 20_000 }]);
    expect(alignToBuckets([{ fromMs: 20_300, toMs: 30_000 }], 1000, 50_000)).toEqual([
      { fromMs: 21_000, toMs: 30_000 },
    ]);
    expect(alignToBuckets([{ fromMs: 30_000, toMs: 45_500 }], 1000, 45_500)).toEqual([
      { fromMs: 30_000, toMs: Number.POSITIVE_INFINITY },
    ]);
    expect(alignToBuckets([{ fromMs: 1200, toMs: 1800 }], 1000, 5000)).toEqual([]);
  });
});
