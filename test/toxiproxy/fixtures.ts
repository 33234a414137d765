import type { ChildProcess, ChildProcessWithoutNullStreams } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { Toxiproxy } from "toxiproxy-node-client";
import { startToxiproxyServer, type ToxiproxyServer } from "../../harness/toxiproxy/index.ts";

/** A TCP server on 127.0.0.1:0 that closes every connection when disposed. */
export interface TestServer extends AsyncDisposable {
  /** "127.0.0.1:PORT", ready to use as a proxy's upstream. */
  readonly address: string;
  readonly port: number;
  readonly server: Server;
}

export async function startTcpServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    server,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Echoes every byte back. */
export const startEchoServer = () => startTcpServer((socket) => socket.pipe(socket));

/** Sends `bytes` bytes on connect, then closes. */
export const startSourceServer = (bytes: number) =>
  startTcpServer((socket) => {
    socket.end(Buffer.alloc(bytes, 0x61));
  });

/** The server under test on 127.0.0.1:0, and a toxiproxy-node-client pointed at it. */
export async function startToxiproxy(options: { metrics?: boolean } = {}): Promise<{
  server: ToxiproxyServer;
  client: Toxiproxy;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const server = await startToxiproxyServer({ host: "127.0.0.1", port: 0, metrics: options.metrics ?? false });
  return { server, client: new Toxiproxy(server.url), [Symbol.asyncDispose]: () => server.close() };
}

/** Connect to "host:port" (as a proxy's listen field reports it). */
export async function dial(address: string): Promise<Socket> {
  const colon = address.lastIndexOf(":");
  const socket = connect({
    host: address.slice(0, colon).replace(/^\[|\]$/g, ""),
    port: Number(address.slice(colon + 1)),
  });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/** Everything a socket receives until it closes, with the time and error of the close. */
export interface Received {
  data: Buffer;
  /** Count of 'data' events. */
  chunks: number;
  /** ms from the call to the close. */
  closedAfterMs: number;
  error: NodeJS.ErrnoException | undefined;
}

export function receiveAll(socket: Socket, limitMs = 20_000): Promise<Received> {
  const start = performance.now();
  const parts: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), limitMs);
    socket.on("data", (part: Buffer) => parts.push(part));
    socket.on("error", (e) => {
      error = e;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(parts), chunks: parts.length, closedAfterMs: performance.now() - start, error });
    });
  });
}

/** Write `message` and time (ms) until as many bytes came back. */
export async function roundTripMs(socket: Socket, message = "ping"): Promise<number> {
  const start = performance.now();
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (part: Buffer) => {
      got += part.length;
      if (got >= message.length) {
        socket.off("data", onData);
        socket.off("close", onClose);
        resolve();
      }
    };
    const onClose = () => reject(new Error("closed before the echo came back"));
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.write(message);
  });
  return performance.now() - start;
}

/** Resolve once nothing arrives within `ms`; reports whatever did arrive and whether the socket closed. */
export async function quietFor(socket: Socket, ms: number): Promise<{ bytes: number; closed: boolean }> {
  let bytes = 0;
  let closed = socket.destroyed;
  const onData = (part: Buffer) => {
    bytes += part.length;
  };
  const onClose = () => {
    closed = true;
  };
  socket.on("data", onData);
  socket.on("close", onClose);
  await sleep(ms);
  socket.off("data", onData);
  socket.off("close", onClose);
  return { bytes, closed };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Open TCP sockets of a process, this one by default (Linux: /proc/PID/fd). */
export function openSocketCount(pid: number | "self" = "self"): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) count++;
    } catch {
      // The fd closed while we looked.
    }
  }
  return count;
}

/** Dial "host:port": undefined when it connects, else the error code (ECONNREFUSED for a closed listener). */
export function refused(address: string): Promise<string | undefined> {
  const colon = address.lastIndexOf(":");
  return new Promise((resolve) => {
    const socket = connect(Number(address.slice(colon + 1)), address.slice(0, colon));
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code));
  });
}

/** The API port a `harness toxiproxy` child prints on stdout at start (`{"port":N}`); rejects if it exits first. */
export function apiPortOf(child: ChildProcessWithoutNullStreams | ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`exited ${code}`)));
  });
}

/** Poll until `check` holds or `limitMs` passes; returns the last value. */
export async function eventually<T>(read: () => T, check: (value: T) => boolean, limitMs = 5_000): Promise<T> {
  const deadline = performance.now() + limitMs;
  let value = read();
  while (!check(value) && performance.now() < deadline) {
    await sleep(20);
    value = read();
  }
  return value;
}

/** Raw HTTP against the API: status, headers and body text. */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; json: () => unknown; headers: Headers }> {
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text), headers: response.headers };
}
