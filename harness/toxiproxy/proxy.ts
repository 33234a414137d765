import { connect, createServer, type Server, type Socket } from "node:net";
import { Connection, type ProxyCounters } from "./connection.ts";
import { AddressError, canonicalListen, formatAddress, resolveListen, splitHostPort } from "./listen.ts";
import { SocketReader, withSharedReads } from "./socket-reader.ts";
import { ToxicCollection } from "./toxic-collection.ts";

/** A proxy's definition, as POST /proxies and /populate take it. */
export interface ProxyConfig {
  name: string;
  /** "host:port" to listen on; "localhost:0" picks a free port and is reported as "127.0.0.1:PORT". */
  listen: string;
  /** "host:port" dialed afresh for every accepted client. */
  upstream: string;
  /** Default true. */
  enabled?: boolean;
}

/** A proxy that could not start listening; the message reads like Go's ("listen tcp ...: bind: address already in use"). */
export class ListenError extends Error {}

/** Hands an accepted (paused) client to another process instead of proxying it here (see workers.ts). */
export type Handoff = (proxy: TcpProxy, client: Socket) => void;

/** Where a proxy keeps its sockets: established connections, and sockets whose upstream is still being dialed. */
export interface ConnectionBook {
  readonly connections: Set<Connection>;
  readonly dialing: Set<Socket>;
  /** False once the proxy stopped: a dial that completes then closes both sockets. */
  isOpen(): boolean;
}

// Every start of every proxy gets its own epoch, so worker processes can tell a restarted listener from the old one.
let lastEpoch = 0;

/**
 * One TCP proxy: listens on `listen`, dials `upstream` per client, and runs its toxics on every
 * connection. Disabling it closes the listener and every connection; toxics are kept.
 */
export class TcpProxy implements AsyncDisposable {
  listen: string;
  upstream: string;
  readonly toxics: ToxicCollection;
  readonly counters: ProxyCounters = {
    upstream: { receivedBytes: 0, sentBytes: 0 },
    downstream: { receivedBytes: 0, sentBytes: 0 },
  };
  /** Unique per successful start(); 0 before the first. */
  epoch = 0;
  private readonly connections = new Set<Connection>();
  private readonly dialing = new Set<Socket>();
  private readonly book: ConnectionBook = {
    connections: this.connections,
    dialing: this.dialing,
    isOpen: () => this.server !== undefined,
  };
  private server: Server | undefined;

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    /** When set, accepted clients go here instead of being proxied in this process. */
    private readonly handoff?: Handoff,
  ) {
    this.listen = listen;
    this.upstream = upstream;
    this.toxics = new ToxicCollection(() => this.connections);
  }

  get enabled(): boolean {
    return this.server !== undefined;
  }

  /** Open connections (both sockets established), for tests and metrics. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Whether `config` differs from this proxy in listen (after resolution) or upstream. */
  async differs(config: { listen: string; upstream: string }): Promise<boolean> {
    if (config.upstream !== this.upstream) return true;
    if (config.listen === this.listen) return false;
    try {
      return (await canonicalListen(config.listen)) !== (await canonicalListen(this.listen));
    } catch {
      return true;
    }
  }

  /** Listen; `listen` becomes the bound address. Throws ListenError. */
  async start(): Promise<void> {
    if (this.server !== undefined) return;
    let address: Awaited<ReturnType<typeof resolveListen>>;
    try {
      address = await resolveListen(this.listen);
    } catch (error) {
      throw new ListenError(error instanceof AddressError ? error.message : String(error));
    }
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) => {
      if (this.handoff === undefined) spliceClient(client, this.upstream, this.toxics, this.counters, this.book);
      else this.handoff(this, client);
    });
    try {
      await listenOn(server, address.bindHost, address.port);
    } catch (error) {
      // A wildcard on a host without IPv6 falls back to IPv4 only.
      if (!address.wildcard) throw listenError(address.bindHost, address.port, error);
      try {
        await listenOn(server, "0.0.0.0", address.port);
      } catch (again) {
        throw listenError("0.0.0.0", address.port, again);
      }
    }
    const bound = server.address();
    const port = typeof bound === "object" && bound !== null ? bound.port : address.port;
    this.listen = formatAddress(address.bindHost, port, address.wildcard);
    this.epoch = ++lastEpoch;
    this.server = server;
  }

  /** Close the listener and every connection, including clients whose upstream is still being dialed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    destroyAll(this.book);
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Close every connection of `book`, including clients whose upstream is still being dialed. */
export function destroyAll(book: ConnectionBook): void {
  for (const socket of book.dialing) socket.destroy();
  book.dialing.clear();
  for (const connection of book.connections) connection.destroy();
}

/**
 * Dial `upstream` for an accepted client and join the two as a Connection running `toxics`. A failed
 * dial closes the client; a dial that completes after the proxy stopped closes both.
 */
export function spliceClient(
  accepted: Socket,
  upstream: string,
  toxics: ToxicCollection,
  counters: ProxyCounters,
  book: ConnectionBook,
): void {
  const { socket: client, reader: clientReader } = withSharedReads(accepted, true);
  client.on("error", () => client.destroy());
  client.setNoDelay(true);
  let target: { host: string; port: number };
  try {
    target = splitHostPort(upstream);
  } catch {
    client.destroy();
    return;
  }
  // Happy eyeballs, like Go's dialer: "localhost" may resolve to ::1 first while the upstream listens on 127.0.0.1 only.
  const serverReader = new SocketReader();
  const server = connect({
    onread: serverReader.onread,
    host: target.host || "localhost",
    port: target.port,
    allowHalfOpen: true,
    noDelay: true,
    autoSelectFamily: true,
  });
  book.dialing.add(server);
  book.dialing.add(client);
  const failed = () => {
    book.dialing.delete(server);
    book.dialing.delete(client);
    server.destroy();
    // A failed upstream dial closes the client: it sees its connect succeed, then the close.
    client.destroy();
  };
  server.once("error", failed);
  client.once("close", failed);
  server.once("connect", () => {
    server.off("error", failed);
    client.off("close", failed);
    book.dialing.delete(server);
    book.dialing.delete(client);
    if (!book.isOpen() || client.destroyed) {
      server.destroy();
      client.destroy();
      return;
    }
    server.setNoDelay(true);
    const connection = new Connection(
      client,
      server,
      { client: clientReader, server: serverReader },
      { upstream: toxics.of("upstream"), downstream: toxics.of("downstream") },
      counters,
      (gone) => book.connections.delete(gone),
    );
    book.connections.add(connection);
    connection.start();
  });
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen({ host, port, ipv6Only: false }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function listenError(host: string, port: number, error: unknown): ListenError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "EADDRINUSE"
      ? "bind: address already in use"
      : code === "EADDRNOTAVAIL"
        ? "bind: cannot assign requested address"
        : code === "EACCES"
          ? "bind: permission denied"
          : (error as Error).message;
  return new ListenError(`listen tcp ${formatAddress(host, port)}: ${reason}`);
}
