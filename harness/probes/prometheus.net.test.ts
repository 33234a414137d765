import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import client from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../timeline/index.ts";
import { prometheus } from "./prometheus.ts";
import { ProbeRunner } from "./runner.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A real app-like /metrics on port 0, written by prom-client. */
async function metricsServer() {
  const registry = new client.Registry();
  const orders = new client.Counter({
    name: "orders_total",
    help: "orders",
    labelNames: ["status"],
    registers: [registry],
  });
  const breaker = new client.Gauge({
    name: "breaker_state",
    help: "0 closed 1 half-open 2 open",
    labelNames: ["dependency"],
    registers: [registry],
  });
  new client.Gauge({ name: "unrelated", help: "not chosen", registers: [registry] }).set(7);
  let status = 200;
  const server = createServer(async (req, res) => {
    if (req.url !== "/metrics") return void res.writeHead(404).end();
    res
      .writeHead(status, { "content-type": registry.contentType })
      .end(status === 200 ? await registry.metrics() : "oops");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  return {
    url,
    orders,
    breaker,
    setStatus: (s: number) => {
      status = s;
    },
  };
}

describe("prometheus probe", () => {
  it("records chosen metrics as gauges tagged with the target, and counters as per-second rates", async () => {
    const app = await metricsServer();
    const clock = manualClock();
    const timeline = new Timeline({ clock });
    const p = prometheus({
      name: "app",
      targets: [{ url: app.url, label: "app1" }],
      metrics: ["orders_total", "breaker_state"],
    });
    expect(p.validate()).toEqual([]);
    const sampler = p.open({ timeline });
    app.orders.inc({ status: "ok" }, 10);
    app.breaker.set({ dependency: "db_read" }, 0);
    await sampler.sample(AbortSignal.timeout(5000));
    clock.advance(2000);
    app.orders.inc({ status: "ok" }, 50);
    app.breaker.set({ dependency: "db_read" }, 2);
    await sampler.sample(AbortSignal.timeout(5000));

    const breaker = timeline.aggregate({ metric: "app_breaker_state", tags: { app: "app1", dependency: "db_read" } })!;
    expect(breaker.type).toBe("gauge");
    expect(breaker.last).toBe(2);
    expect(breaker.min).toBe(0);
    expect(timeline.aggregate({ metric: "app_orders_total", tags: { status: "ok" } })!.last).toBe(60);
    // 50 orders in 2 s.
    expect(timeline.aggregate({ metric: "app_orders_total_per_s", tags: { app: "app1" } })!.last).toBe(25);
    expect(timeline.metrics.has("app_unrelated")).toBe(false);
  });

  it("throws a reading error naming the target that failed", async () => {
    const app = await metricsServer();
    app.setStatus(500);
    const timeline = new Timeline({ clock: manualClock() });
    const sampler = prometheus({ targets: [{ url: app.url, label: "app2" }], metrics: [/.*/] }).open({ timeline });
    await expect(sampler.sample(AbortSignal.timeout(5000))).rejects.toThrow(/app2: GET .* answered 500/);
  });

  it("keeps sampling through the runner while a target is down, counting the errors", async () => {
    const app = await metricsServer();
    const timeline = new Timeline();
    const p = prometheus({
      name: "app",
      targets: [{ url: app.url, label: "app1" }],
      metrics: ["breaker_state"],
      intervalMs: 100,
    });
    app.breaker.set({ dependency: "cache" }, 1);
    const runner = new ProbeRunner([p], { timeline }).start();
    await new Promise((r) => setTimeout(r, 350));
    app.setStatus(503);
    await new Promise((r) => setTimeout(r, 300));
    app.setStatus(200);
    await new Promise((r) => setTimeout(r, 300));
    await runner.stop();
    const errors = timeline.aggregate({ metric: "probe_errors", tags: { probe: "app" } })!.total;
    const readings = runner.samples().app;
    console.log(`prometheus probe: ${readings} readings in ~950 ms, ${errors} failed while the target answered 503`);
    expect(errors).toBeGreaterThanOrEqual(1);
    expect(errors).toBeLessThan(readings!);
    expect(timeline.aggregate({ metric: "app_breaker_state" })!.last).toBe(1);
    expect(timeline.events.some((e) => e.kind === "probe" && e.name === "app.error")).toBe(true);
    expect(timeline.events.some((e) => e.kind === "probe" && e.name === "app.ok")).toBe(true);
  });
});
