import type { Socket } from "node:net";
import { Link, type LinkCounters, type LinkOwner, type ToxicEntry } from "./link.ts";
import type { SocketReader } from "./socket-reader.ts";

// A socket whose peer stops reading is destroyed this long after its close was asked for.
const closeFlushTimeoutMs = 5_000;

/** Byte counters of both directions of a proxy, read by /metrics. */
export interface ProxyCounters {
  upstream: LinkCounters;
  downstream: LinkCounters;
}

/**
 * One accepted client and its upstream socket: an "upstream" link (client to server) and a
 * "downstream" link (server to client). When either direction ends, its destination closes
 * completely, which ends the other direction: Toxiproxy has no half-close.
 */
export class Connection implements LinkOwner {
  readonly upstreamLink: Link;
  readonly downstreamLink: Link;
  private closedSockets = 0;
  private disposed = false;

  constructor(
    readonly client: Socket,
    readonly server: Socket,
    readers: { client: SocketReader; server: SocketReader },
    toxics: { upstream: readonly ToxicEntry[]; downstream: readonly ToxicEntry[] },
    counters: ProxyCounters,
    private readonly onGone: (connection: Connection) => void,
  ) {
    this.upstreamLink = new Link(client, readers.client, server, this, counters.upstream, toxics.upstream);
    this.downstreamLink = new Link(server, readers.server, client, this, counters.downstream, toxics.downstream);
    for (const socket of [client, server]) {
      socket.on("error", () => socket.destroy());
      socket.once("close", () => {
        if (++this.closedSockets === 2) this.dispose();
      });
    }
  }

  start(): void {
    this.upstreamLink.start();
    this.downstreamLink.start();
  }

  link(direction: "upstream" | "downstream"): Link {
    return direction === "upstream" ? this.upstreamLink : this.downstreamLink;
  }

  closeSocket(socket: Socket): void {
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // Flush what was written, send FIN, then drop the socket whole.
    const timer = setTimeout(() => socket.destroy(), closeFlushTimeoutMs);
    timer.unref();
    socket.end(() => {
      clearTimeout(timer);
      socket.destroy();
    });
  }

  reset(): void {
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      try {
        socket.resetAndDestroy();
      } catch {
        socket.destroy();
      }
    }
  }

  /** Close both sockets at once (proxy disabled or deleted). */
  destroy(): void {
    this.client.destroy();
    this.server.destroy();
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.upstreamLink.kill();
    this.downstreamLink.kill();
    this.onGone(this);
  }
}
