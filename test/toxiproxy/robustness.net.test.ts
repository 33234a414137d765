import { request } from "node:http";
import { describe, expect, it } from "vitest";
import {
  api,
  dial,
  eventually,
  openSocketCount,
  roundTripMs,
  sleep,
  startEchoServer,
  startTcpServer,
  startToxiproxy,
} from "./fixtures.ts";

describe("toxiproxy robustness", () => {
  it("answers malformed, oversized and odd bodies with errors and keeps serving", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    const bodies = [
      "{",
      "]",
      "nul",
      '{"name":',
      "\u0000\u0001",
      '{"name":"a","upstream":"x:1","listen":"127.0.0.1:0"} trailing',
    ];
    const statuses = [];
    for (const body of bodies) statuses.push((await api(url, "POST", "/proxies", body)).status);
    // Like Go's json.Decoder, trailing bytes after the first value are ignored.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 201]);
    // A 10 MB body: a valid proxy with a 10 MB upstream string is accepted; 10 MB of garbage is 400.
    const big = "x".repeat(10 * 1024 * 1024);
    const bigProxy = await api(url, "POST", "/proxies", {
      name: "big",
      listen: "127.0.0.1:0",
      upstream: big,
      enabled: false,
    });
    expect(bigProxy.status).toBe(201);
    expect((await api(url, "POST", "/proxies", big)).status).toBe(400);
    expect(
      (await api(url, "POST", "/proxies/a/toxics", `{"type":"latency","attributes":{"latency":${"9".repeat(1000)}}}`))
        .status,
    ).toBe(400);
    // Above 16 MiB the server stops buffering and answers 413.
    const huge = await api(url, "POST", "/proxies", "y".repeat(17 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect((await api(url, "POST", "/proxies/a/toxics", { type: "fuzz", attributes: { x: 1 } })).status).toBe(400);
    expect(
      (await api(url, "POST", "/proxies/a/toxics", { type: "latency", novel: true, attributes: { extra: 5 } })).status,
    ).toBe(200);
    expect((await api(url, "GET", "/version")).status).toBe(200);
    expect((await api(url, "DELETE", "/proxies/big")).status).toBe(204);
  });

  it("survives API clients that vanish mid-request", async () => {
    await using tp = await startToxiproxy();
    const { port } = tp.server;
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const req = request({
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/proxies",
          headers: { "content-length": "1000" },
        });
        req.on("error", () => resolve());
        req.write('{"name":"half');
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 5);
      });
    }
    expect((await api(tp.server.url, "GET", "/proxies")).text).toBe("{}");
  });

  it("carries 1000 concurrent proxied connections and leaks no socket after they close", async () => {
    const before = openSocketCount();
    {
      await using tp = await startToxiproxy();
      await using echo = await startEchoServer();
      const proxy = await tp.client.createProxy({ name: "many", listen: "127.0.0.1:0", upstream: echo.address });
      await proxy.addToxic({
        name: "latency_downstream",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 20, jitter: 0 },
      });
      const start = performance.now();
      const sockets = await Promise.all(Array.from({ length: 1000 }, () => dial(proxy.listen)));
      const peak = await eventually(
        () => tp.server.proxies.get("many")?.connectionCount ?? 0,
        (n) => n === 1000,
        10_000,
      );
      const times = await Promise.all(sockets.map((s) => roundTripMs(s, "hello")));
      const elapsed = performance.now() - start;
      const slowest = Math.max(...times);
      console.log(
        `1000 concurrent connections: ${peak} open at once, all echoed through a 20 ms latency toxic in ${elapsed.toFixed(0)} ms (slowest round trip ${slowest.toFixed(0)} ms); sockets in the process ${openSocketCount() - before} above the start`,
      );
      expect(peak).toBe(1000);
      expect(times.every((ms) => ms >= 19)).toBe(true);
      for (const socket of sockets) socket.destroy();
      const left = await eventually(
        () => tp.server.proxies.get("many")?.connectionCount ?? -1,
        (n) => n === 0,
        10_000,
      );
      expect(left).toBe(0);
    }
    const after = await eventually(openSocketCount, (n) => n <= before, 5_000);
    console.log(`sockets before ${before}, after ${after}`);
    expect(after).toBeLessThanOrEqual(before);
  }, 60_000);

  it("cleans up after clients that vanish mid-stream, with toxics holding data", async () => {
    const before = openSocketCount();
    {
      await using tp = await startToxiproxy();
      // An upstream that streams without end until its peer goes away.
      await using firehose = await startTcpServer((socket) => {
        const block = Buffer.alloc(64 * 1024, 0x62);
        const pump = () => {
          while (!socket.destroyed && socket.write(block)) {}
        };
        socket.on("drain", pump);
        pump();
      });
      const proxy = await tp.client.createProxy({ name: "v", listen: "127.0.0.1:0", upstream: firehose.address });
      await proxy.addToxic({
        name: "slow",
        type: "bandwidth",
        stream: "downstream",
        toxicity: 1,
        attributes: { rate: 500 },
      });
      await proxy.addToxic({
        name: "lag",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 50, jitter: 0 },
      });
      await proxy.addToxic({
        name: "hold",
        type: "timeout",
        stream: "upstream",
        toxicity: 1,
        attributes: { timeout: 0 },
      });
      const sockets = await Promise.all(Array.from({ length: 50 }, () => dial(proxy.listen)));
      for (const socket of sockets) {
        socket.on("error", () => {});
        socket.resume();
        socket.write("request that is held");
      }
      await sleep(300);
      // Half vanish abruptly (RST), half close normally.
      for (const [i, socket] of sockets.entries()) {
        if (i % 2 === 0) socket.resetAndDestroy();
        else socket.end();
      }
      const left = await eventually(
        () => tp.server.proxies.get("v")?.connectionCount ?? -1,
        (n) => n === 0,
        10_000,
      );
      console.log(`50 clients vanished mid-stream under bandwidth+latency+timeout toxics: ${left} connections left`);
      expect(left).toBe(0);
      // The clients that closed normally read on until the proxy's close reached them.
      expect(
        await eventually(
          () => sockets.filter((s) => !s.destroyed).length,
          (n) => n === 0,
        ),
      ).toBe(0);
      expect((await api(tp.server.url, "GET", "/proxies/v")).status).toBe(200);
    }
    const after = await eventually(openSocketCount, (n) => n <= before, 5_000);
    console.log(`sockets before ${before}, after ${after}`);
    expect(after).toBeLessThanOrEqual(before);
  }, 60_000);
});
