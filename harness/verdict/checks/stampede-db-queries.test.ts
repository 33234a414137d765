import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { stampedeDbQueries } from "./stampede-db-queries.ts";

/** Two apps scraped every second; keys user:1 and user:2 expire at 10.2 s. */
function run(queriesAfter: Record<string, [number, number]>): Timeline {
  const t = new Timeline({ clock: manualClock() });
  const gauge = (app: string, key: string) =>
    t.series("app_origin_db_queries_total", "gauge", { app, key, query: "user_by_id" });
  for (let s = 0; s <= 20; s++) {
    for (const [key, [a1, a2]] of Object.entries(queriesAfter)) {
      // Each key was filled once at start (1 query per app), then the stampede after the expiry.
      gauge("app1", key).gauge(1 + (s >= 11 ? a1 : 0), s * 1000 + 500);
      gauge("app2", key).gauge(1 + (s >= 11 ? a2 : 0), s * 1000 + 500);
    }
  }
  t.event(
    "fault.inject",
    "expire-keys-cache",
    { kind: "expire-keys", target: "cache", hotKeys: Object.keys(queriesAfter) },
    10_200,
  );
  t.close(20_999);
  return t;
}

describe("stampede_db_queries", () => {
  it("counts origin queries per expired key over every app, after the expiry only", () => {
    const t = run({ "user:1": [1, 0], "user:2": [0, 1] });
    const r = stampedeDbQueries().measure({ timeline: t, tags: {}, endMs: t.endMs });
    expect(r.measured && r.value).toBe(1);
    expect(r.measured && r.detail).toMatch(/2 origin queries for 2 expired keys/);
  });

  it("shows a stampede as many queries per key, the worst key named", () => {
    const t = run({ "user:1": [40, 35], "user:2": [10, 5] });
    const r = stampedeDbQueries().measure({ timeline: t, tags: {}, endMs: t.endMs });
    expect(r.measured && r.value).toBe(45);
    expect(r.measured && r.detail).toMatch(/worst user:1: 75/);
  });

  it("is not measured without an expiry, without the metric, or without readings after it", () => {
    const none = new Timeline({ clock: manualClock() });
    expect(stampedeDbQueries().measure({ timeline: none, tags: {}, endMs: 0 })).toMatchObject({ measured: false });
    const noMetric = new Timeline({ clock: manualClock() });
    noMetric.event("fault.inject", "x", { kind: "expire-keys", hotKeys: ["user:1"] }, 1000);
    expect(stampedeDbQueries().measure({ timeline: noMetric, tags: {}, endMs: 5000 })).toMatchObject({
      measured: false,
      reason: expect.stringMatching(/never recorded/),
    });
    const t = run({ "user:1": [3, 3] });
    expect(stampedeDbQueries().measure({ timeline: t, tags: {}, endMs: 10_500 })).toMatchObject({ measured: false });
  });

  it("refuses unknown params", () => {
    expect(() => stampedeDbQueries({ window: 5 })).toThrow(/window/);
  });
});
