import { describe, expect, it } from "vitest";
import { manualClock } from "../timeline/clock.ts";
import { Timeline } from "../timeline/timeline.ts";
import { intervalStats } from "./intervals.ts";

function run(): Timeline {
  const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
  const a = t.series("http_req_duration", "trend", { endpoint: "a" }, "ms");
  const b = t.series("http_req_duration", "trend", { endpoint: "b" }, "ms");
  const reqs = t.series("http_reqs", "counter");
  const failed = t.series("http_req_failed", "rate");
  // Second 0: 100 requests 1..100 ms split over two series, none failed.
  for (let i = 1; i <= 100; i++) {
    (i % 2 ? a : b).trend(i, 100 + i);
    reqs.count(1, 100 + i);
    failed.rate(false, 100 + i);
  }
  // Second 2: 10 requests, 4 failed, one very slow.
  for (let i = 0; i < 10; i++) {
    a.trend(i === 9 ? 5000 : 10, 2100 + i);
    reqs.count(1, 2100 + i);
    failed.rate(i < 4, 2100 + i);
  }
  t.close(4000);
  return t;
}

describe("intervalStats", () => {
  it("computes per-interval percentiles from the merged histograms of every series", () => {
    const s = intervalStats(run().toJSON());
    expect(s.widthMs).toBe(1000);
    expect(s.rows).toHaveLength(4);
    const first = s.rows[0]!;
    expect(first.requests).toBe(100);
    expect(first.rps).toBe(100);
    expect(first.p50Ms).toBeCloseTo(50, 0);
    expect(first.p99Ms).toBeCloseTo(99, 0);
    expect(first.maxMs).toBe(100);
    expect(first.errorRate).toBe(0);
  });

  it("reports the error rate per interval and leaves empty intervals without latency", () => {
    const s = intervalStats(run().toJSON());
    expect(s.rows[1]!.requests).toBe(0);
    expect(s.rows[1]!.p50Ms).toBeUndefined();
    expect(s.rows[1]!.errorRate).toBeUndefined();
    const third = s.rows[2]!;
    expect(third.errorRate).toBeCloseTo(0.4);
    expect(third.failedRps).toBe(4);
    expect(third.maxMs).toBe(5000);
    expect(third.p50Ms).toBeCloseTo(10, 1);
  });

  it("sums the whole run: requests, failures and run-wide percentiles", () => {
    const { overall } = intervalStats(run().toJSON());
    expect(overall.requests).toBe(110);
    expect(overall.failed).toBe(4);
    expect(overall.errorRate).toBeCloseTo(4 / 110);
    expect(overall.maxMs).toBe(5000);
    expect(overall.p99Ms).toBeCloseTo(100, 0);
  });

  it("merges buckets to stay under maxPoints, keeping rates per second", () => {
    const s = intervalStats(run().toJSON(), { maxPoints: 2 });
    expect(s.widthMs).toBe(2000);
    expect(s.rows).toHaveLength(2);
    expect(s.rows[0]!.requests).toBe(100);
    expect(s.rows[0]!.rps).toBe(50);
    expect(s.rows[1]!.requests).toBe(10);
  });

  it("counts latency samples as requests when http_reqs was never recorded", () => {
    const t = new Timeline({ clock: manualClock() });
    const d = t.series("http_req_duration", "trend", {}, "ms");
    for (let i = 0; i < 30; i++) d.trend(5, i * 10);
    const s = intervalStats(t.toJSON());
    expect(s.has).toEqual({ requests: true, failed: false, latency: true });
    expect(s.rows[0]!.requests).toBe(30);
  });
});
