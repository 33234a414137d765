import { describe, expect, it } from "vitest";
import { dial, receiveAll, startSourceServer, startToxiproxy } from "../../../test/toxiproxy/fixtures.ts";

describe("limit_data toxic", () => {
  it("passes exactly the limit, then closes", async () => {
    await using tp = await startToxiproxy();
    await using source = await startSourceServer(100_000);
    const proxy = await tp.client.createProxy({ name: "d", listen: "127.0.0.1:0", upstream: source.address });
    await proxy.addToxic({
      name: "limit_data_downstream",
      type: "limit_data",
      stream: "downstream",
      toxicity: 1,
      attributes: { bytes: 1234 },
    });
    const socket = await dial(proxy.listen);
    const result = await receiveAll(socket);
    console.log(
      `limit_data 1234 B: received ${result.data.length} B, closed after ${result.closedAfterMs.toFixed(0)} ms`,
    );
    expect(result.data.length).toBe(1234);
  });

  it("counts bytes across chunks and keeps the count when updated", async () => {
    await using tp = await startToxiproxy();
    const { startEchoServer, roundTripMs } = await import("../../../test/toxiproxy/fixtures.ts");
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "d", listen: "127.0.0.1:0", upstream: echo.address });
    const toxic = await proxy.addToxic({
      name: "limit_data_downstream",
      type: "limit_data",
      stream: "downstream",
      toxicity: 1,
      attributes: { bytes: 10 },
    });
    const socket = await dial(proxy.listen);
    await roundTripMs(socket, "abcd");
    await toxic.update({ attributes: { bytes: 12 } } as never);
    const closed = receiveAll(socket);
    socket.write("efghijklmnop");
    const result = await closed;
    expect(result.data.toString()).toBe("efghijkl");
  });
});
