import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Timeline } from "../../timeline/index.ts";
import { startToxiproxyServer, type ToxiproxyServer } from "../../toxiproxy/index.ts";
import type { FaultContext } from "../fault.ts";
import { FaultSchedule } from "../schedule.ts";
import { toxiproxyApi } from "../toxiproxy-api.ts";
import { linkDown } from "./link-down.ts";
import { bandwidth, latency, limitData, resetPeer, slicer, slowClose, timeout } from "./toxic.ts";

// Real TCP through the project's Toxiproxy-compatible server, driven only through its HTTP API.
let echo: Server;
let toxiproxy: ToxiproxyServer;
let listenPort: number;
let ctx: FaultContext;
const sockets: Socket[] = [];

beforeEach(async () => {
  echo = createServer((s) => {
    // The toxics reset and cut connections on purpose.
    s.on("error", () => {});
    s.pipe(s);
  });
  echo.listen(0, "127.0.0.1");
  await once(echo, "listening");
  toxiproxy = await startToxiproxyServer({ port: 0 });
  const res = await fetch(`${toxiproxy.url}/proxies`, {
    method: "POST",
    body: JSON.stringify({
      name: "db_read",
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
    }),
  });
  expect(res.status).toBe(201);
  listenPort = Number(((await res.json()) as { listen: string }).listen.split(":").at(-1));
  ctx = {
    topology: { endpoint: () => ({ host: "127.0.0.1", port: 0, url: () => "" }), container: () => undefined as never },
    toxiproxyUrl: toxiproxy.url,
    timeline: new Timeline(),
  };
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await toxiproxy.close();
  echo.close();
});

/** Send `bytes` through the proxy and wait for them to come back; the round trip in ms, or how it failed. */
async function roundTrip(
  bytes = 16,
  limitMs = 3000,
): Promise<{ ms: number; outcome: "ok" | "closed" | "reset" | "timeout" | "refused"; received: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const s = connect(listenPort, "127.0.0.1");
    sockets.push(s);
    let received = 0;
    const done = (outcome: "ok" | "closed" | "reset" | "timeout" | "refused") => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ms: performance.now() - started, outcome, received });
    };
    const timer = setTimeout(() => done("timeout"), limitMs);
    s.on("connect", () => s.write(Buffer.alloc(bytes, 97)));
    s.on("data", (d) => {
      received += d.length;
      if (received >= bytes) done("ok");
    });
    s.on("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "refused" : "reset"));
    s.on("end", () => done("closed"));
  });
}

describe("toxic faults against a Toxiproxy-compatible server", () => {
  it("adds latency while injected and removes it on revert, with events at the moments they took effect", async () => {
    const before = await roundTrip();
    const f = latency({ link: "db_read", latencyMs: 300, jitterMs: 0 });
    const injected = await f.inject(ctx);
    const during = await roundTrip();
    await injected.revert("scheduled");
    const after = await roundTrip();
    console.log(
      `latency toxic 300 ms: round trip before ${before.ms.toFixed(1)} ms, during ${during.ms.toFixed(1)} ms, after ${after.ms.toFixed(1)} ms`,
    );
    expect(during.outcome).toBe("ok");
    expect(during.ms).toBeGreaterThanOrEqual(290);
    expect(after.ms).toBeLessThan(200);
    const [inj, rev] = ctx.timeline.events;
    expect(inj).toMatchObject({ kind: "fault.inject", name: "latency-db_read" });
    expect(inj!.data).toEqual({
      kind: "latency",
      target: "db_read",
      link: "db_read",
      stream: "downstream",
      toxicity: 1,
      latencyMs: 300,
      jitterMs: 0,
      toxic: "harness_latency-db_read",
    });
    expect(rev).toMatchObject({ kind: "fault.revert", name: "latency-db_read", data: { reason: "scheduled" } });
    expect(rev!.atMs).toBeGreaterThan(inj!.atMs);
    expect((await toxiproxyApi(toxiproxy.url).getProxy("db_read")).toxics).toEqual([]);
  });

  it("sends each toxic with Toxiproxy's attribute names and units", async () => {
    const api = toxiproxyApi(toxiproxy.url);
    const faults = [
      bandwidth({ link: "db_read", rateKBps: 64 }),
      slowClose({ link: "db_read", delayMs: 500, stream: "upstream" }),
      timeout({ link: "db_read", timeoutMs: 0, toxicity: 0.5 }),
      resetPeer({ link: "db_read", timeoutMs: 100 }),
      slicer({ link: "db_read", averageSizeBytes: 8, sizeVariationBytes: 2, delayUs: 10 }),
      limitData({ link: "db_read", bytes: 1024 }),
    ];
    const injected = [];
    for (const f of faults) injected.push(await f.inject(ctx));
    // Toxiproxy lists upstream toxics before downstream ones: compare by type.
    const toxics = (await api.getProxy("db_read")).toxics
      .map((t) => [t.type, t.stream, t.toxicity, t.attributes])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(toxics).toEqual([
      ["bandwidth", "downstream", 1, { rate: 64 }],
      ["limit_data", "downstream", 1, { bytes: 1024 }],
      ["reset_peer", "downstream", 1, { timeout: 100 }],
      ["slicer", "downstream", 1, { average_size: 8, size_variation: 2, delay: 10 }],
      ["slow_close", "upstream", 1, { delay: 500 }],
      ["timeout", "downstream", 0.5, { timeout: 0 }],
    ]);
    for (const i of injected.reverse()) await i.revert("scheduled");
    expect((await api.getProxy("db_read")).toxics).toEqual([]);
  });

  it("resets connections with reset_peer and holds data with timeout 0 until reverted", async () => {
    {
      await using _ = await resetPeer({ link: "db_read", timeoutMs: 0 }).inject(ctx);
      const r = await roundTrip();
      expect(["reset", "closed"]).toContain(r.outcome);
      expect(r.received).toBe(0);
    }
    {
      await using _ = await timeout({ link: "db_read", timeoutMs: 0 }).inject(ctx);
      const r = await roundTrip(16, 500);
      expect(r.outcome).toBe("timeout");
    }
    expect((await roundTrip()).outcome).toBe("ok");
  });

  it("closes a connection after limit_data bytes", async () => {
    await using _ = await limitData({ link: "db_read", bytes: 10 }).inject(ctx);
    const r = await roundTrip(64);
    expect(r.outcome).not.toBe("ok");
    expect(r.received).toBeLessThanOrEqual(10);
  });

  it("takes a link down by disabling its proxy and brings it back on revert", async () => {
    const injected = await linkDown({ link: "db_read" }).inject(ctx);
    expect((await toxiproxyApi(toxiproxy.url).getProxy("db_read")).enabled).toBe(false);
    expect((await roundTrip()).outcome).toBe("refused");
    await injected.revert("recovered");
    expect((await roundTrip()).outcome).toBe("ok");
    expect(ctx.timeline.events.map((e) => [e.kind, e.name, e.data?.reason])).toEqual([
      ["fault.inject", "link-down-db_read", undefined],
      ["fault.revert", "link-down-db_read", "recovered"],
    ]);
  });

  it("reverts once however often it is asked, and replaces a toxic left over by a dead run", async () => {
    const api = toxiproxyApi(toxiproxy.url);
    const f = latency({ id: "slow-db", link: "db_read", latencyMs: 50 });
    // A run killed with -9 left its toxic behind.
    await api.addToxic("db_read", f.spec());
    const injected = await f.inject(ctx);
    expect((await api.getProxy("db_read")).toxics).toHaveLength(1);
    await Promise.all([injected.revert("signal"), injected.revert("abort"), injected[Symbol.asyncDispose]()]);
    await injected.revert("scheduled");
    expect(ctx.timeline.events.filter((e) => e.kind === "fault.revert").map((e) => e.data?.reason)).toEqual(["signal"]);
    expect((await api.getProxy("db_read")).toxics).toEqual([]);
  });

  it("resets every toxic and re-enables every proxy, as a run left by kill -9 needs", async () => {
    const api = toxiproxyApi(toxiproxy.url);
    await latency({ link: "db_read", latencyMs: 100 }).inject(ctx);
    await linkDown({ link: "db_read" }).inject(ctx);
    await api.reset();
    const proxy = await api.getProxy("db_read");
    expect(proxy.toxics).toEqual([]);
    expect(proxy.enabled).toBe(true);
    expect((await roundTrip()).outcome).toBe("ok");
  });

  it("fails to inject on an unknown link with the link named and a hint, recording nothing", async () => {
    const err = await latency({ link: "nope", latencyMs: 10 })
      .inject(ctx)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "HARNESS_FAULT_FAILED", exitCode: 3 });
    expect((err as Error).message).toMatch(/latency-nope.*POST \/proxies\/nope\/toxics answered 404/);
    expect((err as { hint: string }).hint).toMatch(/link name/);
    expect(ctx.timeline.events).toEqual([]);
  });

  it("rejects bad options, every problem at once, before touching the server", async () => {
    const f = latency({ link: "", latencyMs: -5, jitterMs: Number.NaN, stream: "sideways" as never, toxicity: 2 });
    expect(f.validate().map((p) => p.option)).toEqual(["link", "stream", "toxicity", "latencyMs", "jitterMs"]);
    await expect(f.inject(ctx)).rejects.toMatchObject({ code: "HARNESS_CONFIG_INVALID", exitCode: 2 });
    expect(
      slicer({ link: "x", averageSizeBytes: 4, sizeVariationBytes: 4 })
        .validate()
        .map((p) => p.option),
    ).toEqual(["sizeVariationBytes"]);
  });

  it("reverts every toxic when the run is interrupted mid-schedule", async () => {
    const api = toxiproxyApi(toxiproxy.url);
    const schedule = new FaultSchedule(
      [
        { fault: latency({ link: "db_read", latencyMs: 100 }), at: 0 },
        { fault: bandwidth({ link: "db_read", rateKBps: 10 }), at: 50 },
        { fault: linkDown({ link: "db_read" }), at: 100, revert: { after: "10s" } },
      ],
      { tickMs: 20 },
    );
    const ac = new AbortController();
    const running = schedule.run({ ...ctx, signal: ac.signal }, { untilMs: ctx.timeline.clock.nowMs() + 60_000 });
    // Ctrl-C once all three are in.
    for (let i = 0; i < 100 && schedule.injected.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await running;
    await schedule.revertAll("signal");
    const proxy = await api.getProxy("db_read");
    expect(proxy.toxics).toEqual([]);
    expect(proxy.enabled).toBe(true);
    const reverts = ctx.timeline.events.filter((e) => e.kind === "fault.revert");
    expect(reverts.map((e) => [e.name, e.data?.reason])).toEqual([
      ["link-down-db_read", "signal"],
      ["bandwidth-db_read", "signal"],
      ["latency-db_read", "signal"],
    ]);
    expect((await roundTrip()).outcome).toBe("ok");
  });
});
