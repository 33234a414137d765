import { describe, expect, it } from "vitest";
import { manualClock } from "./clock.ts";
import { percentile, Timeline } from "./timeline.ts";

describe("Timeline", () => {
  it("buckets trend samples per interval and reads percentiles back", () => {
    const clock = manualClock();
    const t = new Timeline({ clock, intervalMs: 1000 });
    const s = t.series("http_req_duration", "trend", { endpoint: "users" }, "ms");
    for (let i = 1; i <= 100; i++) s.trend(i, 500);
    s.trend(1000, 1500);
    const all = t.aggregate({ metric: "http_req_duration" })!;
    expect(all.samples).toBe(101);
    expect(all.max).toBe(1000);
    expect(percentile(all.histogram!, 50)).toBeCloseTo(51, 0);
    const first = t.aggregate({ metric: "http_req_duration", windows: [{ fromMs: 0, toMs: 1000 }] })!;
    expect(first.samples).toBe(100);
    expect(first.max).toBe(100);
  });

  it("filters series by tag subset and tells an undefined metric apart from an empty one", () => {
    const t = new Timeline({ clock: manualClock() });
    t.series("http_req_failed", "rate", { endpoint: "a" }).rate(true, 10);
    t.series("http_req_failed", "rate", { endpoint: "b" }).rate(false, 10);
    expect(t.aggregate({ metric: "http_req_failed", tags: { endpoint: "a" } })!.passes).toBe(1);
    expect(t.aggregate({ metric: "http_req_failed", tags: { endpoint: "c" } })!.samples).toBe(0);
    expect(t.aggregate({ metric: "nope" })).toBeUndefined();
  });

  it("round-trips through JSON, sealed buckets included", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 100, sealAfterIntervals: 2 });
    const s = t.series("lat", "trend", {}, "ms");
    for (let i = 0; i < 50; i++) s.trend(i % 7, i * 50);
    t.series("reqs", "counter").count(3, 10);
    t.event("phase", "steady", undefined, 0);
    const back = Timeline.fromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    const a = t.aggregate({ metric: "lat" })!;
    const b = back.aggregate({ metric: "lat" })!;
    expect(b.samples).toBe(a.samples);
    expect(percentile(b.histogram!, 90)).toBe(percentile(a.histogram!, 90));
    expect(back.aggregate({ metric: "reqs" })!.total).toBe(3);
    expect(back.events).toEqual(t.events);
  });
});

describe("Timeline read-out", () => {
  it("reads a trend back per interval with percentiles and the max", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
    const s = t.series("http_req_duration", "trend", { endpoint: "a" }, "ms");
    for (let i = 1; i <= 100; i++) s.trend(i, 100);
    s.trend(900, 2100);
    const points = t.intervals({ metric: "http_req_duration" });
    expect(points.map((p) => p.t)).toEqual([0, 2000]);
    expect(points[0]!.samples).toBe(100);
    expect(points[0]!.p50).toBeCloseTo(50, 0);
    expect(points[0]!.max).toBe(100);
    expect(points[1]!.p99).toBeCloseTo(900, 0);
  });

  it("seals a bucket again after a late sample reopened it", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 100, sealAfterIntervals: 1 });
    const s = t.series("lat", "trend", {}, "ms");
    for (let i = 0; i < 10; i++) s.trend(1, i * 100);
    s.trend(50, 0);
    s.trend(1, 1000);
    const first = s.toJSON().buckets[0]!;
    expect(first).toMatchObject({ t: 0, count: 2, max: 50 });
    expect(t.intervals({ metric: "lat" })[0]!.max).toBe(50);
  });
});

describe("Timeline through a soak", () => {
  it("keeps only the newest few histograms uncompressed through an hour, late samples included", () => {
    const t = new Timeline({ clock: manualClock(), intervalMs: 1000, sealAfterIntervals: 5 });
    const s = t.series("http_req_duration", "trend", {}, "ms");
    for (let sec = 0; sec < 3600; sec++) {
      for (let i = 0; i < 20; i++) s.trend(1 + (i % 7), sec * 1000 + i * 50);
      // A timed-out request lands 10 s back, in a sealed bucket.
      if (sec >= 10 && sec % 60 === 0) s.trend(10_000, (sec - 10) * 1000);
      expect(s.liveHistograms).toBeLessThanOrEqual(7);
    }
    const all = t.aggregate({ metric: "http_req_duration" })!;
    expect(all.samples).toBe(3600 * 20 + 59);
    expect(all.max).toBe(10_000);
  });
});
