import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SocketReader, withSharedReads } from "./socket-reader.ts";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

function listen(onSocket: (socket: Socket) => void, options = {}): Promise<number> {
  const server = createServer(options, onSocket);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("shared-buffer reads", () => {
  it("two sockets reading at once each get their own bytes intact (4 MiB each way)", async () => {
    const payloads = [randomBytes(4 * 1024 * 1024), randomBytes(4 * 1024 * 1024)];
    let next = 0;
    const port = await listen((socket) => {
      const payload = payloads[next++] as Buffer;
      socket.end(payload);
    });
    const received = await Promise.all(
      payloads.map(
        () =>
          new Promise<Buffer>((resolve, reject) => {
            const reader = new SocketReader();
            const parts: Buffer[] = [];
            const socket = connect({ port, host: "127.0.0.1", onread: reader.onread });
            reader.attach(socket, (data) => parts.push(data));
            socket.once("error", reject);
            socket.once("close", () => resolve(Buffer.concat(parts)));
          }),
      ),
    );
    expect(received.map(sha)).toEqual(payloads.map(sha));
  });

  it("an accepted socket moved onto a shared-buffer Socket reads, writes, and still counts for server.close()", async () => {
    let moved: Socket | undefined;
    let shared = false;
    const server = createServer({ pauseOnConnect: true }, (accepted) => {
      const { socket, reader } = withSharedReads(accepted, true);
      moved = socket;
      shared = reader.shared;
      reader.attach(socket, (data) => socket.write(data));
      socket.on("end", () => socket.end());
      socket.resume();
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
    );
    const client = connect(port, "127.0.0.1");
    const echoed = await new Promise<string>((resolve) => {
      client.once("data", (d: Buffer) => resolve(d.toString()));
      client.write("ping");
    });
    expect(echoed).toBe("ping");
    expect(shared).toBe(true);
    // server.close() waits for the moved socket, then completes once it is gone.
    let closed = false;
    const closing = new Promise<void>((resolve) =>
      server.close(() => {
        closed = true;
        resolve();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    client.end();
    await closing;
    expect(moved?.destroyed).toBe(true);
  });

  it("keeps Node's stream path for a socket that already holds data", async () => {
    let result: { shared: boolean; data: string } | undefined;
    const done = new Promise<void>((resolve) => {
      void listen((accepted) => {
        // Let data queue in the Readable before moving it.
        accepted.pause();
        setTimeout(() => {
          const { socket, reader } = withSharedReads(accepted, false);
          reader.attach(socket, (data) => {
            result = { shared: reader.shared, data: data.toString() };
            socket.destroy();
            resolve();
          });
          socket.resume();
        }, 50);
      }).then((port) => {
        const client = connect(port, "127.0.0.1", () => client.write("queued"));
        client.on("error", () => {});
      });
    });
    await done;
    expect(result).toEqual({ shared: false, data: "queued" });
  });
});
