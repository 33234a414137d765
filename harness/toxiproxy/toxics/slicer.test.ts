import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { slicer } from "./slicer.ts";

describe("slicer cuts", () => {
  it("cover the chunk in order with non-empty pieces no larger than average + variation", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (length, average, variation) => {
          fc.pre(average + variation >= 1);
          const toxic = slicer.create({ average_size: average, size_variation: variation, delay: 0 }) as unknown as {
            cuts(start: number, end: number, out: number[]): void;
          };
          const ends: number[] = [];
          toxic.cuts(0, length, ends);
          expect(ends.at(-1)).toBe(length);
          let from = 0;
          for (const to of ends) {
            expect(to).toBeGreaterThan(from);
            expect(to - from).toBeLessThanOrEqual(Math.max(1, average + variation));
            from = to;
          }
        },
      ),
    );
  });

  it("refuses the values the Go server recurses forever on", () => {
    expect(slicer.validate({ average_size: 0, size_variation: 0, delay: 0 })).not.toEqual([]);
    expect(slicer.validate({ average_size: -1, size_variation: 5, delay: 0 })).not.toEqual([]);
    expect(slicer.validate({ average_size: 0, size_variation: 1, delay: 0 })).toEqual([]);
  });
});
