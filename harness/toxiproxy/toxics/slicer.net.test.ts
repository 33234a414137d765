import { describe, expect, it } from "vitest";
import { dial, receiveAll, startSourceServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("slicer toxic", () => {
  it("delivers one write as many small chunks, delay µs apart", async () => {
    await using tp = await startToxiproxy();
    await using source = await startSourceServer(1000);
    const proxy = await tp.client.createProxy({ name: "s", listen: "127.0.0.1:0", upstream: source.address });
    await proxy.addToxic({
      name: "slicer_downstream",
      type: "slicer",
      stream: "downstream",
      toxicity: 1,
      attributes: { average_size: 100, size_variation: 20, delay: 10_000 },
    });
    const socket = await dial(proxy.listen);
    const result = await receiveAll(socket);
    console.log(
      `slicer 100±20 B, 10 ms apart: 1000 B arrived in ${result.chunks} chunks over ${result.closedAfterMs.toFixed(0)} ms`,
    );
    expect(result.data.length).toBe(1000);
    expect(result.chunks).toBeGreaterThanOrEqual(6);
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(60);
  });
});
