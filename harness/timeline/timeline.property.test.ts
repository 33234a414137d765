import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { manualClock } from "./clock.ts";
import { percentile, Timeline } from "./timeline.ts";
import { phaseWindows, unionWindows } from "./windows.ts";

/** A sample: latency (ms, 3 decimals), when (ms on the run clock), endpoint tag. */
const sample = fc.record({
  value: fc.integer({ min: 0, max: 5_000_000 }).map((v) => v / 1000),
  atMs: fc.integer({ min: 0, max: 20_000 }),
  endpoint: fc.constantFrom("a", "b", "c"),
});
const samples = fc.array(sample, { maxLength: 300 });

function record(t: Timeline, list: { value: number; atMs: number; endpoint: string }[]): void {
  for (const s of list) {
    t.series("lat", "trend", { endpoint: s.endpoint }, "ms").trend(s.value, s.atMs);
    t.series("reqs", "counter", { endpoint: s.endpoint }).count(1, s.atMs);
    t.series("failed", "rate", { endpoint: s.endpoint }).rate(s.value > 1000, s.atMs);
  }
}

function summary(t: Timeline, windows?: { fromMs: number; toMs: number }[]) {
  const lat = t.aggregate({ metric: "lat", windows });
  const reqs = t.aggregate({ metric: "reqs", windows });
  const failed = t.aggregate({ metric: "failed", windows });
  return {
    samples: lat?.samples ?? 0,
    min: lat?.min,
    max: lat?.max,
    p50: lat?.histogram ? percentile(lat.histogram, 50) : undefined,
    p99: lat?.histogram ? percentile(lat.histogram, 99) : undefined,
    reqs: reqs?.total ?? 0,
    failed: failed?.passes ?? 0,
  };
}

describe("Timeline properties", () => {
  it("merging two timelines reads the same as recording every sample into one", () => {
    fc.assert(
      fc.property(samples, samples, fc.constantFrom(100, 250, 1000), (left, right, intervalMs) => {
        const a = new Timeline({ clock: manualClock(), intervalMs, sealAfterIntervals: 3 });
        const b = new Timeline({ clock: manualClock(), intervalMs, sealAfterIntervals: 3 });
        const both = new Timeline({ clock: manualClock(), intervalMs });
        record(a, left);
        record(b, right);
        record(both, [...left, ...right]);
        a.merge(b);
        expect(summary(a)).toEqual(summary(both));
      }),
      { numRuns: 60 },
    );
  });

  it("merge is commutative", () => {
    fc.assert(
      fc.property(samples, samples, (left, right) => {
        const ab = new Timeline({ clock: manualClock() });
        const ba = new Timeline({ clock: manualClock() });
        const l = new Timeline({ clock: manualClock() });
        const r = new Timeline({ clock: manualClock() });
        record(l, left);
        record(r, right);
        ab.merge(l);
        ab.merge(r);
        ba.merge(r);
        ba.merge(l);
        expect(summary(ab)).toEqual(summary(ba));
      }),
      { numRuns: 40 },
    );
  });

  it("a window aggregate counts exactly the samples whose interval overlaps the window", () => {
    fc.assert(
      fc.property(
        samples,
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (list, fromMs, lengthMs) => {
          const intervalMs = 500;
          const t = new Timeline({ clock: manualClock(), intervalMs, sealAfterIntervals: 2 });
          record(t, list);
          const w = { fromMs, toMs: fromMs + lengthMs };
          const inside = list.filter((s) => {
            const start = Math.floor(s.atMs / intervalMs) * intervalMs;
            return start + intervalMs > w.fromMs && start < w.toMs;
          });
          const got = summary(t, [w]);
          expect(got.samples).toBe(inside.length);
          expect(got.reqs).toBe(inside.length);
          expect(got.failed).toBe(inside.filter((s) => s.value > 1000).length);
          if (inside.length > 0) expect(got.max).toBe(Math.max(...inside.map((s) => s.value)));
          // The per-interval read-out over the same window adds up to the aggregate.
          const points = t.intervals({ metric: "lat", windows: [w] });
          expect(points.reduce((n, p) => n + p.samples, 0)).toBe(inside.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("splitting a window in two at an interval edge splits the counts", () => {
    fc.assert(
      fc.property(samples, fc.integer({ min: 0, max: 40 }), (list, cut) => {
        const t = new Timeline({ clock: manualClock(), intervalMs: 500 });
        record(t, list);
        const edge = cut * 500;
        const whole = summary(t, [{ fromMs: 0, toMs: 30_000 }]);
        const left = summary(t, [{ fromMs: 0, toMs: edge }]);
        const right = summary(t, [{ fromMs: edge, toMs: 30_000 }]);
        expect(left.samples + right.samples).toBe(whole.samples);
        expect(left.reqs + right.reqs).toBe(whole.reqs);
      }),
      { numRuns: 60 },
    );
  });

  it("sealing old buckets and a JSON round trip change no figure", () => {
    fc.assert(
      fc.property(samples, (list) => {
        const sealed = new Timeline({ clock: manualClock(), intervalMs: 100, sealAfterIntervals: 1 });
        const open = new Timeline({
          clock: manualClock(),
          intervalMs: 100,
          sealAfterIntervals: Number.POSITIVE_INFINITY,
        });
        record(sealed, list);
        record(open, list);
        const back = Timeline.fromJSON(JSON.parse(JSON.stringify(sealed.toJSON())));
        expect(summary(sealed)).toEqual(summary(open));
        expect(summary(back)).toEqual(summary(open));
      }),
      { numRuns: 60 },
    );
  });

  it("phase windows cover the run without overlap, in the order the phases ran", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ atMs: fc.integer({ min: 0, max: 10_000 }), name: fc.constantFrom("warmup", "steady", "fault") }),
          {
            maxLength: 12,
          },
        ),
        (marks) => {
          const events = marks.map((m) => ({ ...m, kind: "phase" }));
          const all = ["warmup", "steady", "fault"].flatMap((p) => phaseWindows(events, p, 12_000));
          const covered = unionWindows(all).reduce((n, w) => n + (w.toMs - w.fromMs), 0);
          const total = all.reduce((n, w) => n + (w.toMs - w.fromMs), 0);
          expect(covered).toBe(total);
          if (marks.length > 0) expect(covered).toBe(12_000 - Math.min(...marks.map((m) => m.atMs)));
        },
      ),
      { numRuns: 100 },
    );
  });
});
