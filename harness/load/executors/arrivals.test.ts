import { describe, expect, it } from "vitest";
import { ArrivalSchedule } from "./arrivals.ts";
import { requestsUntil, stagePoints } from "./executor.ts";

function all(s: ArrivalSchedule): number[] {
  const out: number[] = [];
  for (let t = s.next(); t !== undefined && out.length < 1_000_000; t = s.next()) out.push(t);
  return out;
}

describe("ArrivalSchedule", () => {
  it("spaces a constant 500/s for 10 s into exactly 5000 arrivals 2 ms apart", () => {
    const times = all(
      new ArrivalSchedule([
        { atMs: 0, value: 500 },
        { atMs: 10_000, value: 500 },
      ]),
    );
    expect(times.length).toBe(5000);
    expect(times[0]).toBe(0);
    expect(times[1]).toBeCloseTo(2, 9);
    expect(times[4999]).toBeCloseTo(9998, 6);
  });

  it("follows a linear ramp: arrivals per second grow with the rate", () => {
    // 0 -> 100/s over 10 s: second i holds about 10*i + 5 arrivals.
    const times = all(new ArrivalSchedule(stagePoints(0, [{ durationMs: 10_000, target: 100 }])));
    expect(times.length).toBe(500);
    const perSecond = Array.from(
      { length: 10 },
      (_, i) => times.filter((t) => t >= i * 1000 && t < (i + 1) * 1000).length,
    );
    for (const [i, n] of perSecond.entries()) expect(Math.abs(n - (10 * i + 5))).toBeLessThanOrEqual(1);
  });

  it("handles falling rates, flat stages and zero-length jumps", () => {
    const points = stagePoints(200, [
      { durationMs: 1000, target: 200 },
      { durationMs: 0, target: 1000 },
      { durationMs: 1000, target: 1000 },
      { durationMs: 2000, target: 0 },
    ]);
    const times = all(new ArrivalSchedule(points));
    expect(times.length).toBe(Math.ceil(requestsUntil(points, 4000)));
    expect(times.length).toBe(200 + 1000 + 1000);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times.filter((t) => t < 1000).length).toBe(200);
    expect(times.filter((t) => t >= 1000 && t < 2000).length).toBe(1000);
    expect(times[times.length - 1]!).toBeLessThan(4000);
  });
});

describe("ArrivalSchedule.remaining", () => {
  it("counts what is left without walking it", () => {
    const s = new ArrivalSchedule([
      { atMs: 0, value: 1000 },
      { atMs: 3_600_000, value: 1000 },
    ]);
    for (let i = 0; i < 10; i++) s.next();
    expect(s.remaining()).toBe(3_600_000 - 10);
  });
});
