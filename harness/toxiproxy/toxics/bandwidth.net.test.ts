import { describe, expect, it } from "vitest";
import { dial, receiveAll, startSourceServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("bandwidth toxic", () => {
  it("limits 1 MB downstream to 100 KB/s within 10%", async () => {
    await using tp = await startToxiproxy();
    await using source = await startSourceServer(1_000_000);
    const proxy = await tp.client.createProxy({ name: "b", listen: "127.0.0.1:0", upstream: source.address });
    await proxy.addToxic({
      name: "bandwidth_downstream",
      type: "bandwidth",
      stream: "downstream",
      toxicity: 1,
      attributes: { rate: 100 },
    });
    const socket = await dial(proxy.listen);
    const got = await receiveAll(socket, 30_000);
    const rateKBps = got.data.length / got.closedAfterMs;
    console.log(
      `bandwidth 100 KB/s: ${got.data.length} B in ${got.closedAfterMs.toFixed(0)} ms = ${rateKBps.toFixed(1)} KB/s`,
    );
    expect(got.data.length).toBe(1_000_000);
    expect(rateKBps).toBeGreaterThan(90);
    expect(rateKBps).toBeLessThan(110);
  }, 40_000);

  it("holds all data at rate 0 until the toxic is removed", async () => {
    await using tp = await startToxiproxy();
    await using source = await startSourceServer(10_000);
    const proxy = await tp.client.createProxy({ name: "b", listen: "127.0.0.1:0", upstream: source.address });
    const toxic = await proxy.addToxic({
      name: "bandwidth_downstream",
      type: "bandwidth",
      stream: "downstream",
      toxicity: 1,
      attributes: { rate: 0 },
    });
    const socket = await dial(proxy.listen);
    const result = receiveAll(socket);
    let early = 0;
    socket.on("data", (d: Buffer) => {
      early += d.length;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(early).toBe(0);
    await toxic.remove();
    const got = await result;
    console.log(`bandwidth 0: held 0 B for 300 ms, then ${got.data.length} B after removal`);
    expect(got.data.length).toBe(10_000);
  });
});
