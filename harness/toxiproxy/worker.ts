/**
 * The worker side of `--workers N` (see workers.ts): proxies the clients the primary passes over IPC,
 * with the toxics of the state the primary last sent. Forked with HARNESS_TOXIPROXY_WORKER=1; the
 * module starts itself then (from source, or as part of the toxiproxy.mjs bundle).
 */
import type { Socket } from "node:net";
import type { Connection, ProxyCounters } from "./connection.ts";
import { type ConnectionBook, destroyAll, spliceClient } from "./proxy.ts";
import { ToxicCollection, type ToxicDefinition } from "./toxic-collection.ts";
import { findToxicType } from "./toxics/index.ts";
import { type FromWorker, type ProxySnapshot, type ToWorker, workerEnvironmentVariable } from "./workers.ts";

/** True in a process forked as a worker: its entry module must not start a server. */
export const isToxiproxyWorker = process.env[workerEnvironmentVariable] === "1" && process.send !== undefined;

/** One proxy's listener epoch in this worker: its connections and its toxics. */
class WorkerProxy implements ConnectionBook {
  readonly connections = new Set<Connection>();
  readonly dialing = new Set<Socket>();
  readonly toxics = new ToxicCollection(() => this.connections);
  readonly counters: ProxyCounters = {
    upstream: { receivedBytes: 0, sentBytes: 0 },
    downstream: { receivedBytes: 0, sentBytes: 0 },
  };
  /** Toxic id -> the version applied and the live definition. */
  private readonly applied = new Map<number, { version: number; definition: ToxicDefinition }>();
  private open = true;

  constructor(
    readonly epoch: number,
    readonly upstream: string,
  ) {}

  isOpen(): boolean {
    return this.open;
  }

  accept(client: Socket): void {
    // The primary listens with allowHalfOpen; a passed socket starts without it.
    client.allowHalfOpen = true;
    spliceClient(client, this.upstream, this.toxics, this.counters, this);
  }

  close(): void {
    this.open = false;
    destroyAll(this);
  }

  /** Make the toxics those of `snapshot`: removals first, then updates, then additions in order. */
  apply(snapshot: ProxySnapshot): void {
    const wanted = new Map(snapshot.toxics.map((t) => [t.id, t]));
    for (const [id, { definition }] of this.applied) {
      if (wanted.has(id)) continue;
      this.toxics.remove(definition);
      this.applied.delete(id);
    }
    for (const toxic of snapshot.toxics) {
      const current = this.applied.get(toxic.id);
      if (current !== undefined) {
        if (current.version !== toxic.version) {
          this.toxics.update(current.definition, toxic.attributes, toxic.toxicity);
          current.version = toxic.version;
        }
        continue;
      }
      const kind = findToxicType(toxic.type);
      if (kind === undefined) continue;
      const definition: ToxicDefinition = {
        name: toxic.name,
        type: toxic.type,
        stream: toxic.direction,
        direction: toxic.direction,
        kind,
        attributes: toxic.attributes,
        toxicity: toxic.toxicity,
        toxic: kind.create(toxic.attributes),
      };
      this.toxics.add(definition);
      this.applied.set(toxic.id, { version: toxic.version, definition });
    }
  }
}

/** Serve the primary until it goes away. */
export function runToxiproxyWorker(): void {
  const send = (message: FromWorker) => process.send?.(message);
  const proxies = new Map<string, WorkerProxy>();
  process.on("message", (message: ToWorker, handle?: unknown) => {
    if (message.type === "connection") {
      const client = handle as Socket | undefined;
      if (client === undefined) return;
      const proxy = proxies.get(message.proxy);
      // A client of a listener that was stopped since: the proxy was disabled, deleted or moved.
      if (proxy === undefined || proxy.epoch !== message.epoch) client.destroy();
      else proxy.accept(client);
      return;
    }
    const wanted = new Map(message.proxies.map((p) => [p.name, p]));
    for (const [name, proxy] of proxies) {
      if (wanted.get(name)?.epoch === proxy.epoch) continue;
      proxy.close();
      proxies.delete(name);
    }
    for (const snapshot of message.proxies) {
      let proxy = proxies.get(snapshot.name);
      if (proxy === undefined) {
        proxy = new WorkerProxy(snapshot.epoch, snapshot.upstream);
        proxies.set(snapshot.name, proxy);
      }
      proxy.apply(snapshot);
    }
    send({ type: "synced", seq: message.seq });
  });
  // The primary is gone (or closed the channel): nothing left to serve.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready" });
}

if (isToxiproxyWorker) runToxiproxyWorker();
