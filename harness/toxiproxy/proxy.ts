import { connect, createServer, type Server, type Socket } from "node:net";
import { Connection, type ProxyCounters } from "./connection.ts";
import { AddressError, canonicalListen, formatAddress, resolveListen, splitHostPort } from "./listen.ts";
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
  private readonly connections = new Set<Connection>();
  private readonly dialing = new Set<Socket>();
  private server: Server | undefined;

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
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
    const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (client) =>
      this.accept(client),
    );
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
    this.server = server;
  }

  /** Close the listener and every connection, including clients whose upstream is still being dialed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.dialing) socket.destroy();
    this.dialing.clear();
    for (const connection of this.connections) connection.destroy();
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private accept(client: Socket): void {
    client.on("error", () => client.destroy());
    client.setNoDelay(true);
    let target: { host: string; port: number };
    try {
      target = splitHostPort(this.upstream);
    } catch {
      client.destroy();
      return;
    }
    // Happy eyeballs, like Go's dialer: "localhost" may resolve to ::1 first while the upstream listens on 127.0.0.1 only.
    const server = connect({
      host: target.host || "localhost",
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
      autoSelectFamily: true,
    });
    this.dialing.add(server);
    this.dialing.add(client);
    const failed = () => {
      this.dialing.delete(server);
      this.dialing.delete(client);
      server.destroy();
      // A failed upstream dial closes the client: it sees its connect succeed, then the close.
      client.destroy();
    };
    server.once("error", failed);
    client.once("close", failed);
    server.once("connect", () => {
      server.off("error", failed);
      client.off("close", failed);
      this.dialing.delete(server);
      this.dialing.delete(client);
      if (this.server === undefined || client.destroyed) {
        server.destroy();
        client.destroy();
        return;
      }
      server.setNoDelay(true);
      const connection = new Connection(
        client,
        server,
        { upstream: this.toxics.of("upstream"), downstream: this.toxics.of("downstream") },
        this.counters,
        (gone) => this.connections.delete(gone),
      );
      this.connections.add(connection);
      connection.start();
    });
  }
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
