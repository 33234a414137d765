import { describe, expect, it } from "vitest";
import { dial, receiveAll, startSourceServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("slow_close toxic", () => {
  it("delivers the data at once but holds the close back by the delay", async () => {
    await using tp = await startToxiproxy();
    await using source = await startSourceServer(100);
    const proxy = await tp.client.createProxy({ name: "c", listen: "127.0.0.1:0", upstream: source.address });
    await proxy.addToxic({
      name: "slow_close_downstream",
      type: "slow_close",
      stream: "downstream",
      toxicity: 1,
      attributes: { delay: 300 },
    });
    const socket = await dial(proxy.listen);
    let firstDataMs = -1;
    const start = performance.now();
    socket.once("data", () => {
      firstDataMs = performance.now() - start;
    });
    const result = await receiveAll(socket);
    console.log(
      `slow_close 300 ms: data after ${firstDataMs.toFixed(0)} ms, close after ${result.closedAfterMs.toFixed(0)} ms`,
    );
    expect(result.data.length).toBe(100);
    expect(firstDataMs).toBeLessThan(250);
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(290);
    expect(result.closedAfterMs).toBeLessThan(1500);
  });
});
