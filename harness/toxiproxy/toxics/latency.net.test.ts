import { describe, expect, it } from "vitest";
import { dial, median, roundTripMs, startEchoServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("latency toxic", () => {
  it("delays a round trip by the latency, within 10 ms", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "l", listen: "127.0.0.1:0", upstream: echo.address });
    const socket = await dial(proxy.listen);
    const baseline = median(
      await Promise.all([0, 1, 2].map(() => 0)).then(async () => {
        const out: number[] = [];
        for (let i = 0; i < 5; i++) out.push(await roundTripMs(socket));
        return out;
      }),
    );
    await proxy.addToxic({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) samples.push(await roundTripMs(socket));
    const m = median(samples);
    console.log(
      `latency 100 ms: baseline round trip ${baseline.toFixed(2)} ms, with toxic median ${m.toFixed(2)} ms, min ${Math.min(...samples).toFixed(2)}, max ${Math.max(...samples).toFixed(2)}`,
    );
    expect(m).toBeGreaterThanOrEqual(99);
    expect(m).toBeLessThanOrEqual(110);
    socket.destroy();
  });

  it("adds up when stacked on both directions, and applies to an already-open connection", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "l", listen: "127.0.0.1:0", upstream: echo.address });
    const socket = await dial(proxy.listen);
    await roundTripMs(socket);
    await proxy.addToxic({
      name: "up",
      type: "latency",
      stream: "upstream",
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    await proxy.addToxic({
      name: "down1",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 30, jitter: 0 },
    });
    await proxy.addToxic({
      name: "down2",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 20, jitter: 0 },
    });
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(await roundTripMs(socket));
    const m = median(samples);
    console.log(`latency 50 up + 30 + 20 down on an open connection: median round trip ${m.toFixed(2)} ms`);
    expect(m).toBeGreaterThanOrEqual(99);
    expect(m).toBeLessThanOrEqual(115);
    socket.destroy();
  });

  it("spreads delays over latency ± jitter", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "l", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 40, jitter: 20 },
    });
    const socket = await dial(proxy.listen);
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) samples.push(await roundTripMs(socket));
    const [lo, hi] = [Math.min(...samples), Math.max(...samples)];
    const inside = samples.filter((ms) => ms >= 19 && ms < 63).length;
    console.log(
      `latency 40 ± 20 ms: round trips from ${lo.toFixed(1)} to ${hi.toFixed(1)} ms, ${inside}/30 within [19, 63)`,
    );
    expect(lo).toBeGreaterThanOrEqual(19);
    // The machine is shared: allow a scheduling outlier or two above the window.
    expect(inside).toBeGreaterThanOrEqual(24);
    expect(hi - lo).toBeGreaterThan(10);
    socket.destroy();
  });

  it("lets held data go at once when the toxic is removed", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "l", listen: "127.0.0.1:0", upstream: echo.address });
    const toxic = await proxy.addToxic({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 5000, jitter: 0 },
    });
    const socket = await dial(proxy.listen);
    const pending = roundTripMs(socket, "held");
    await new Promise((r) => setTimeout(r, 100));
    await toxic.remove();
    const ms = await pending;
    console.log(`latency 5000 ms removed after 100 ms: the echo came back after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    expect(await roundTripMs(socket)).toBeLessThan(50);
    socket.destroy();
  });
});
