import { describe, expect, it } from "vitest";
import { percentile, Timeline } from "../timeline/index.ts";
import { zipfProbability } from "./http/distribution.ts";
import { formatResult, type LoadResult, oneOf, runLoad, spike, startLoad, stress, zipf } from "./index.ts";
import { startTargetServer } from "./testing/target-server.ts";

const brief = (r: LoadResult) => ({
  offered: r.offered,
  sent: r.sent,
  achievedPerS: Math.round(r.achievedPerS * 100) / 100,
  completed: r.completed,
  failed: r.failed,
  late: r.late,
  dropped: r.dropped,
  stoppedBy: r.stoppedBy,
  validity: r.validity.reasons.map((x) => x.code),
  cpu: Math.round(r.health.meanCpu * 100) / 100,
  lagMs: Math.round(r.health.maxEventLoopLagMs),
});

describe("native engine against a real local server", () => {
  it("holds constant-arrival-rate 500/s for 10 s within 1%", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      executor: { executor: "constant-arrival-rate", rate: 500, duration: "10s" },
      requests: [{ path: "/ok", checks: { status: 200 } }],
      timeline,
    });
    const arrivals = server.arrivalsMs;
    const spanS = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
    // n arrivals spaced 2 ms apart span (n - 1) * 2 ms.
    const serverRate = (arrivals.length - 1) / spanS;
    console.log("constant-arrival-rate 500/s:", brief(result), {
      serverSeen: arrivals.length,
      serverRate: serverRate.toFixed(1),
    });
    expect(Math.abs(result.achievedPerS - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(Math.abs(serverRate - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(server.total()).toBe(result.sent);
    expect(timeline.aggregate({ metric: "http_reqs" })!.total).toBe(result.completed);
    expect(result.completed).toBe(result.sent);
    expect(timeline.aggregate({ metric: "checks" })!.passes).toBe(result.completed);
    expect(timeline.aggregate({ metric: "http_req_failed" })!.passes).toBe(0);
  }, 30_000);

  it("shows a 1 s stall in p99 and max with the open model, where a closed loop hides it from p99", async () => {
    // The server stalls for 1 s every 4 s (at 4 s and 8 s of its life).
    const stall = { stallEveryMs: 4000, stallForMs: 1000 };
    const open = new Timeline();
    {
      await using server = await startTargetServer(stall);
      await runLoad({
        baseUrl: server.url,
        executor: { executor: "constant-arrival-rate", rate: 200, duration: "9s" },
        requests: [{ path: "/ok" }],
        timeline: open,
      });
    }
    const closed = new Timeline();
    let closedResult: LoadResult;
    {
      await using server = await startTargetServer(stall);
      closedResult = await runLoad({
        baseUrl: server.url,
        executor: { executor: "constant-vus", vus: 4, duration: "9s" },
        // 2 ms of service time keeps the closed loop from taking both shared cores.
        requests: [{ path: "/slow/2" }],
        timeline: closed,
      });
    }
    const o = open.aggregate({ metric: "http_req_duration" })!;
    const c = closed.aggregate({ metric: "http_req_duration" })!;
    const openP99 = percentile(o.histogram!, 99);
    const closedP99 = percentile(c.histogram!, 99);
    const openIntervals = open.intervals({ metric: "http_req_duration" });
    const worstOpenInterval = Math.max(...openIntervals.map((p) => p.p99 ?? 0));
    const stalledIntervals = openIntervals.filter((p) => (p.p99 ?? 0) > 500).map((p) => p.t);
    console.log("stall:", {
      open: {
        samples: o.samples,
        p99Ms: openP99,
        maxMs: o.max,
        worstIntervalP99Ms: worstOpenInterval,
        stalledIntervals,
      },
      closed: { samples: c.samples, p99Ms: closedP99, maxMs: c.max, ...brief(closedResult) },
    });
    // Open model: the stall is in the run's p99 and max, and in the p99 of the interval it hit.
    expect(openP99).toBeGreaterThan(500);
    expect(o.max!).toBeGreaterThan(900);
    expect(worstOpenInterval).toBeGreaterThan(800);
    // ...and only there: the stalls at 4 s and 8 s, not the quiet seconds before them.
    expect(stalledIntervals.length).toBeGreaterThanOrEqual(2);
    expect(stalledIntervals.length).toBeLessThanOrEqual(4);
    expect(stalledIntervals.every((t) => t >= 3000)).toBe(true);
    // Closed loop: only the few requests caught in the stall saw it; p99 stays low.
    expect(c.max!).toBeGreaterThan(900);
    expect(closedP99).toBeLessThan(200);
    expect(closedP99).toBeLessThan(openP99 / 3);
  }, 40_000);

  it("follows the stages of a ramping arrival rate", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      executor: {
        executor: "ramping-arrival-rate",
        startRate: 0,
        stages: [
          { duration: "3s", target: 300 },
          { duration: "2s", target: 300 },
          { duration: "2s", target: 100 },
        ],
      },
      requests: [{ path: "/ok" }],
      timeline,
    });
    // What the server saw, per second since the first arrival, against the integral of the stages.
    const seen = Array.from({ length: 7 }, () => 0);
    const first = server.arrivalsMs[0]!;
    for (const t of server.arrivalsMs) {
      const s = Math.floor((t - first) / 1000);
      if (s < 7) seen[s]!++;
    }
    const expected = [50, 150, 250, 300, 300, 250, 150];
    console.log("ramp:", brief(result), { seenPerSecond: seen, expected });
    expect(result.offered).toBe(450 + 600 + 400);
    for (let i = 0; i < 7; i++)
      expect(Math.abs(seen[i]! - expected[i]!)).toBeLessThanOrEqual(Math.max(8, expected[i]! * 0.05));
  }, 30_000);

  it("ramps VUs through their stages in a closed loop", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      executor: {
        executor: "ramping-vus",
        startVUs: 1,
        stages: [
          { duration: "2s", target: 5 },
          { duration: "2s", target: 5 },
        ],
      },
      // /slow/100: each VU makes about 10 requests per second.
      requests: [{ path: "/slow/100" }],
      timeline,
    });
    const perS = timeline.intervals({ metric: "http_reqs" }).map((p) => p.total!);
    console.log("ramping-vus:", brief(result), { reqsPerInterval: perS });
    const held = perS.slice(2, 4);
    for (const n of held) expect(n).toBeGreaterThanOrEqual(40);
    for (const n of held) expect(n).toBeLessThanOrEqual(52);
    expect(perS[0]!).toBeLessThan(held[0]!);
  }, 30_000);

  it("hits zipf keys in the expected proportions and weights the mix", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      executor: { executor: "constant-arrival-rate", rate: 1000, duration: "4s" },
      requests: [
        { endpoint: "/items/:id", path: "/items/{id}", params: { id: zipf(100, 1) }, weight: 3 },
        { endpoint: "/tags", path: "/tags/{tag}", params: { tag: oneOf(["a", "b"]) }, weight: 1 },
      ],
      timeline,
      seed: 7,
    });
    const items = [...server.hits].filter(([p]) => p.startsWith("/items/")).reduce((n, [, c]) => n + c, 0);
    const share = (k: number) => (server.hits.get(`/items/${k}`) ?? 0) / items;
    console.log("zipf:", brief(result), {
      items,
      key1: share(1).toFixed(4),
      expected1: zipfProbability(100, 1, 1).toFixed(4),
      key2: share(2).toFixed(4),
      key10: share(10).toFixed(4),
    });
    expect(items / result.sent).toBeCloseTo(0.75, 1);
    for (const k of [1, 2, 5, 10]) {
      const p = zipfProbability(100, 1, k);
      const sigma = Math.sqrt((p * (1 - p)) / items);
      expect(Math.abs(share(k) - p)).toBeLessThan(4 * sigma);
    }
    expect(timeline.aggregate({ metric: "http_reqs", tags: { endpoint: "/tags" } })!.total).toBe(result.sent - items);
  }, 30_000);

  it("keeps acknowledged write ids, and timed-out writes as indeterminate", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      executor: { executor: "constant-arrival-rate", rate: 100, duration: "2s" },
      http: { timeoutMs: 300 },
      requests: [
        {
          endpoint: "/writes",
          method: "POST",
          path: "/writes",
          json: { n: "{n}" },
          params: { n: uniform1() },
          write: true,
          weight: 4,
        },
        {
          endpoint: "/slow",
          method: "POST",
          path: "/slow/1000",
          params: { k: seqFrom(1) },
          json: { k: "{k}" },
          write: { key: "k" },
          weight: 1,
        },
      ],
      timeline,
    });
    const ledger = result.ledger;
    console.log("ledger:", brief(result), {
      acknowledged: ledger.acknowledged.length,
      indeterminate: ledger.indeterminate.length,
      reasons: [...new Set(ledger.indeterminate.map((e) => e.reason))],
    });
    expect(ledger.acknowledged.map((e) => e.id).sort()).toEqual([...server.written].sort());
    expect(ledger.acknowledged.length).toBeGreaterThan(100);
    expect(ledger.indeterminate.length).toBe(result.sent - ledger.acknowledged.length);
    expect(ledger.indeterminate.every((e) => e.reason === "timeout" && e.key !== undefined)).toBe(true);
    const timeouts = timeline.aggregate({ metric: "http_reqs", tags: { error: "timeout", status: "0" } })!.total;
    expect(timeouts).toBe(ledger.indeterminate.length);
  }, 30_000);

  it("records failures as tagged samples and failed checks, never as thrown errors", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      executor: { executor: "constant-arrival-rate", rate: 50, duration: "1s" },
      requests: [{ endpoint: "/status/503", path: "/status/503", checks: { status: 200, bodyIncludes: "ok" } }],
      timeline,
    });
    const failed = timeline.aggregate({ metric: "http_req_failed" })!;
    console.log("failures:", brief(result));
    expect(failed.passes).toBe(50);
    expect(timeline.aggregate({ metric: "http_reqs", tags: { error: "http_5xx", status: "503" } })!.total).toBe(50);
    expect(timeline.aggregate({ metric: "checks", tags: { check: "status" } })!.passes).toBe(0);
    expect(timeline.aggregate({ metric: "checks", tags: { check: "body" } })!.total).toBe(50);
  });

  it("counts refused connections as samples with error refused", async () => {
    const server = await startTargetServer();
    const url = server.url;
    await server.close();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: url,
      executor: { executor: "constant-arrival-rate", rate: 20, duration: "500ms" },
      requests: [{ path: "/ok" }],
      timeline,
    });
    console.log("refused:", brief(result));
    expect(result.completed).toBe(10);
    expect(timeline.aggregate({ metric: "http_reqs", tags: { error: "refused" } })!.total).toBe(10);
  });

  it("stops on its AbortSignal and at its planned end", async () => {
    await using server = await startTargetServer();
    const controller = new AbortController();
    const t0 = performance.now();
    const run = startLoad({
      baseUrl: server.url,
      executor: { executor: "constant-arrival-rate", rate: 100, duration: "60s" },
      requests: [{ path: "/slow/5000" }],
      timeline: new Timeline(),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 500);
    const result = await run.done;
    const tookMs = performance.now() - t0;
    console.log("abort:", brief(result), { aborted: result.aborted, tookMs: Math.round(tookMs) });
    expect(result.stoppedBy).toBe("signal");
    expect(tookMs).toBeLessThan(2000);
    expect(result.aborted).toBe(result.sent);
    expect(result.offered).toBeLessThan(100);
  });

  it("ends at its planned end plus the graceful stop even when the server never answers", async () => {
    await using server = await startTargetServer();
    const t0 = performance.now();
    const result = await runLoad({
      baseUrl: server.url,
      executor: { executor: "constant-arrival-rate", rate: 20, duration: "1s", gracefulStop: "300ms" },
      requests: [{ path: "/slow/30000", write: true }],
      timeline: new Timeline(),
    });
    const tookMs = performance.now() - t0;
    console.log("graceful stop:", brief(result), { aborted: result.aborted, tookMs: Math.round(tookMs) });
    expect(tookMs).toBeLessThan(2000);
    expect(result.stoppedBy).toBe("plan");
    expect(result.aborted).toBe(20);
    expect(result.ledger.indeterminate.map((e) => e.reason)).toEqual(Array(20).fill("aborted"));
  });

  it("sends a spike at N times the base rate and drops back", async () => {
    await using server = await startTargetServer();
    const result = await runLoad({
      baseUrl: server.url,
      ...spike({ rate: 100, factor: 4, before: "1s", spikeFor: "1s", after: "1s" }),
      requests: [{ path: "/ok" }],
      timeline: new Timeline(),
    });
    const first = server.arrivalsMs[0]!;
    const seen = [0, 0, 0];
    for (const t of server.arrivalsMs) {
      const i = Math.floor((t - first) / 1000);
      if (i < 3) seen[i]!++;
    }
    console.log("spike:", brief(result), { seenPerSecond: seen });
    expect(result.offered).toBe(600);
    expect(Math.abs(seen[0]! - 100)).toBeLessThanOrEqual(8);
    expect(Math.abs(seen[1]! - 400)).toBeLessThanOrEqual(20);
    expect(Math.abs(seen[2]! - 100)).toBeLessThanOrEqual(8);
  });

  it("stops a stress ramp when the SLO breaks and reports the breaking point", async () => {
    // One worker at 5 ms per request: capacity 200 requests/s.
    await using server = await startTargetServer({ serviceMs: 5 });
    const timeline = new Timeline({ intervalMs: 500 });
    const progress: number[] = [];
    const result = await runLoad({
      baseUrl: server.url,
      ...stress({ from: 50, to: 450, rampFor: "10s", stopWhen: { p99AboveMs: 100, forIntervals: 2 } }),
      requests: [{ path: "/ok" }],
      timeline,
      http: { timeoutMs: 2000 },
      onProgress: (p) => progress.push(p.reqPerS),
    });
    console.log("stress:", brief(result), { breakingPoint: result.breakingPoint, progressSamples: progress.length });
    console.log(formatResult(result).join("\n"));
    expect(formatResult(result)[2]).toMatch(/^ {2}breaking point: \d+ requests\/s at /);
    expect(result.stoppedBy).toBe("condition");
    expect(result.breakingPoint!.unit).toBe("requests/s");
    expect(result.breakingPoint!.target).toBeGreaterThan(150);
    expect(result.breakingPoint!.target).toBeLessThan(330);
    expect(progress.length).toBeGreaterThan(3);
  }, 30_000);
});

describe("autocannon engine", () => {
  it("puts its closed-model results on the same timeline", async () => {
    await using server = await startTargetServer();
    const timeline = new Timeline();
    const result = await runLoad({
      baseUrl: server.url,
      engine: "autocannon",
      executor: { executor: "constant-vus", vus: 4, duration: "2s" },
      requests: [{ endpoint: "/ok", path: "/ok" }],
      timeline,
    });
    const reqs = timeline.aggregate({ metric: "http_reqs", tags: { endpoint: "/ok", status: "200" } })!;
    const lat = timeline.aggregate({ metric: "http_req_duration" })!;
    console.log("autocannon:", brief(result), {
      p99Ms: percentile(lat.histogram!, 99),
      intervals: timeline.intervals({ metric: "http_reqs" }).length,
    });
    expect(result.engine).toBe("autocannon");
    expect(reqs.total).toBe(result.completed);
    expect(result.completed).toBeGreaterThan(100);
    expect(Math.abs(server.total() - result.completed)).toBeLessThanOrEqual(4);
  });
});

function uniform1() {
  return { kind: "uniform", min: 1, max: 1000 } as const;
}
function seqFrom(start: number) {
  return { kind: "sequential", start, step: 1 } as const;
}
