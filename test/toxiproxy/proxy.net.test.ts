import { describe, expect, it } from "vitest";
import {
  api,
  dial,
  eventually,
  median,
  quietFor,
  receiveAll,
  refused,
  roundTripMs,
  startEchoServer,
  startTcpServer,
  startToxiproxy,
} from "./fixtures.ts";

describe("proxied connections", () => {
  it("proxies bytes both ways with TCP_NODELAY (sub-ms round trips)", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "localhost:0", upstream: echo.address });
    const socket = await dial(proxy.listen);
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) samples.push(await roundTripMs(socket, "x".repeat(10)));
    console.log(`no toxic: median echo round trip through the proxy ${(median(samples) * 1000).toFixed(0)} µs`);
    expect(median(samples)).toBeLessThan(5);
    socket.destroy();
  });

  it("closes every open connection when disabled, refuses new ones, and keeps toxics for re-enable", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    const socket = await dial(proxy.listen);
    await roundTripMs(socket);
    const closed = receiveAll(socket);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    const result = await closed;
    expect(result.closedAfterMs).toBeLessThan(500);
    expect(await refused(proxy.listen)).toBe("ECONNREFUSED");
    const again = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(again.listen).toBe(proxy.listen);
    const socket2 = await dial(proxy.listen);
    const ms = await roundTripMs(socket2);
    console.log(
      `disable closed an open connection after ${result.closedAfterMs.toFixed(0)} ms; re-enabled round trip ${ms.toFixed(1)} ms (latency 50 kept)`,
    );
    expect(ms).toBeGreaterThanOrEqual(49);
    socket2.destroy();
  });

  it("closes the client when the upstream dial fails", async () => {
    await using tp = await startToxiproxy();
    const dead = await startTcpServer(() => {});
    const upstream = dead.address;
    await dead[Symbol.asyncDispose]();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream });
    const socket = await dial(proxy.listen);
    const result = await receiveAll(socket, 5_000);
    expect(result.data.length).toBe(0);
    expect(result.closedAfterMs).toBeLessThan(1_000);
  });

  it("applies a toxic added mid-stream to an open connection, and stops when removed", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    const socket = await dial(proxy.listen);
    expect(await roundTripMs(socket)).toBeLessThan(20);
    const toxic = await proxy.addToxic({
      name: "timeout_upstream",
      type: "timeout",
      stream: "upstream",
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    socket.write("dropped");
    expect(await quietFor(socket, 300)).toEqual({ bytes: 0, closed: false });
    await toxic.remove();
    expect(socket.destroyed || (await quietFor(socket, 300)).closed).toBe(true);
  });

  it("draws toxicity per connection: 0.5 affects roughly half of 200 connections", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 0.5,
      attributes: { latency: 300, jitter: 0 },
    });
    const times = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const socket = await dial(proxy.listen);
        const ms = await roundTripMs(socket);
        socket.destroy();
        return ms;
      }),
    );
    const affected = times.filter((ms) => ms >= 290).length;
    console.log(`toxicity 0.5: ${affected}/200 connections delayed by the 300 ms latency toxic`);
    // Binomial(200, 0.5): sd 7; 60..140 is beyond 5 sd.
    expect(affected).toBeGreaterThan(60);
    expect(affected).toBeLessThan(140);
  });

  it("toxicity 0 never acts and 1 always does", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    const toxic = await proxy.addToxic({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 0,
      attributes: { latency: 200, jitter: 0 },
    });
    const run = async () =>
      Promise.all(
        Array.from({ length: 20 }, async () => {
          const socket = await dial(proxy.listen);
          const ms = await roundTripMs(socket);
          socket.destroy();
          return ms;
        }),
      );
    expect((await run()).filter((ms) => ms >= 190)).toHaveLength(0);
    await toxic.update({ toxicity: 1 } as never);
    expect((await run()).filter((ms) => ms >= 190)).toHaveLength(20);
  });

  it("closes both sides when either closes (no half-close, as Toxiproxy)", async () => {
    await using tp = await startToxiproxy();
    let serverSawClose = false;
    await using upstream = await startTcpServer((socket) => {
      socket.on("close", () => {
        serverSawClose = true;
      });
    });
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: upstream.address });
    const socket = await dial(proxy.listen);
    await eventually(
      () => tp.server.proxies.get("p")?.connectionCount ?? 0,
      (n) => n === 1,
    );
    socket.end();
    expect(await eventually(() => serverSawClose, Boolean)).toBe(true);
    expect(
      await eventually(
        () => tp.server.proxies.get("p")?.connectionCount ?? -1,
        (n) => n === 0,
      ),
    ).toBe(0);
  });

  it("moves a proxy to a new listen address on update and closes the old connections", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    const socket = await dial(proxy.listen);
    const closed = receiveAll(socket);
    const moved = (await api(tp.server.url, "PATCH", "/proxies/p", { listen: "127.0.0.1:0" })).json() as {
      listen: string;
    };
    expect(moved.listen).not.toBe(proxy.listen);
    await closed;
    expect(await refused(proxy.listen)).toBe("ECONNREFUSED");
    const socket2 = await dial(moved.listen);
    expect(await roundTripMs(socket2)).toBeLessThan(50);
    socket2.destroy();
  });

  it("reports a wildcard listen as [::]:PORT like Go", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "0.0.0.0:0", upstream: echo.address });
    expect(proxy.listen).toMatch(/^\[::\]:\d+$/);
    const port = proxy.listen.split(":").pop();
    const socket = await dial(`127.0.0.1:${port}`);
    expect(await roundTripMs(socket)).toBeLessThan(50);
    socket.destroy();
  });
});
