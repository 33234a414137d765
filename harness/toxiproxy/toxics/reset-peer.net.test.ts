import { describe, expect, it } from "vitest";
import { dial, receiveAll, startEchoServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("reset_peer toxic", () => {
  it("resets the connection (ECONNRESET) after the timeout once data arrives", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "r", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "reset_peer_upstream",
      type: "reset_peer",
      stream: "upstream",
      toxicity: 1,
      attributes: { timeout: 200 },
    });
    const socket = await dial(proxy.listen);
    const got = receiveAll(socket);
    socket.write("hello");
    const result = await got;
    console.log(`reset_peer 200 ms: ${result.error?.code} after ${result.closedAfterMs.toFixed(0)} ms`);
    expect(result.error?.code).toBe("ECONNRESET");
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(190);
    expect(result.closedAfterMs).toBeLessThan(1500);
  });

  it("resets at once with timeout 0", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "r", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "reset_peer_upstream",
      type: "reset_peer",
      stream: "upstream",
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const socket = await dial(proxy.listen);
    const got = receiveAll(socket);
    socket.write("hello");
    const result = await got;
    expect(result.error?.code).toBe("ECONNRESET");
    expect(result.closedAfterMs).toBeLessThan(200);
  });
});
