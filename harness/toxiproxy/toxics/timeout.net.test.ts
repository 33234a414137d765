import { describe, expect, it } from "vitest";
import { dial, quietFor, receiveAll, startEchoServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("timeout toxic", () => {
  it("drops data and closes the connection after the timeout", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "t", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "timeout_upstream",
      type: "timeout",
      stream: "upstream",
      toxicity: 1,
      attributes: { timeout: 300 },
    });
    const socket = await dial(proxy.listen);
    const got = receiveAll(socket);
    socket.write("lost");
    const result = await got;
    console.log(
      `timeout 300 ms: closed after ${result.closedAfterMs.toFixed(0)} ms with ${result.data.length} B received`,
    );
    expect(result.data.length).toBe(0);
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(280);
    expect(result.closedAfterMs).toBeLessThan(1500);
  });

  it("with 0 holds the connection open until the toxic is removed, which closes it", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "t", listen: "127.0.0.1:0", upstream: echo.address });
    const toxic = await proxy.addToxic({
      name: "timeout_downstream",
      type: "timeout",
      stream: "downstream",
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    const socket = await dial(proxy.listen);
    socket.write("lost");
    const held = await quietFor(socket, 500);
    expect(held).toEqual({ bytes: 0, closed: false });
    const closing = receiveAll(socket);
    await toxic.remove();
    const result = await closing;
    console.log(
      `timeout 0: held 500 ms with nothing received; closed ${result.closedAfterMs.toFixed(0)} ms after removal`,
    );
    expect(result.closedAfterMs).toBeLessThan(500);
  });
});
