/**
 * The primary side of `--workers N`: N child processes proxy the TCP traffic while this process keeps
 * the API, the state and every proxy's listening socket. Each accepted client (still paused) is passed
 * to the next worker round-robin over IPC; after every API change the whole state goes to every worker,
 * and the API answers once all of them acknowledged it.
 *
 * Why not node:cluster's shared ports: a worker's listen(0) is matched to the other workers' by call
 * order, not by proxy, and disabling a proxy has to close one listener for all. Listening here keeps
 * every listen rule (port 0, wildcards, Go's error texts) exactly as with one process.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TcpProxy } from "./proxy.ts";

/** A toxic as workers receive it; `version` changes on every update (the update redraws toxicity). */
export interface ToxicSnapshot {
  id: number;
  version: number;
  name: string;
  type: string;
  direction: "upstream" | "downstream";
  attributes: Record<string, number>;
  toxicity: number;
}

/** An enabled proxy as workers receive it; a new `epoch` means a new listener, so old connections close. */
export interface ProxySnapshot {
  name: string;
  epoch: number;
  upstream: string;
  toxics: ToxicSnapshot[];
}

/** Messages from the primary to a worker. */
export type ToWorker =
  | { type: "sync"; seq: number; proxies: ProxySnapshot[] }
  | { type: "connection"; proxy: string; epoch: number };

/** Messages from a worker to the primary. */
export type FromWorker = { type: "ready" } | { type: "synced"; seq: number };

/** Set in a worker's environment: the entry module runs the worker instead of the server. */
export const workerEnvironmentVariable = "HARNESS_TOXIPROXY_WORKER";

const readyTimeoutMs = 30_000;
const ackTimeoutMs = 10_000;
const exitTimeoutMs = 5_000;

interface Worker {
  readonly child: ChildProcess;
  readonly waiting: Map<number, () => void>;
}

/** The worker processes of one server. */
export class WorkerPool implements AsyncDisposable {
  private readonly workers: Worker[] = [];
  private next = 0;
  private seq = 0;
  private closing = false;
  /** Epoch of each proxy as last sent to the workers. */
  private readonly sentEpochs = new Map<string, number>();
  /** Clients accepted before the workers were told about their proxy's current listener. */
  private pending: { proxy: TcpProxy; client: Socket }[] = [];
  private readonly ids = new WeakMap<object, number>();
  private lastId = 0;

  /** Fork `count` workers (count >= 1) and wait until each is ready. */
  static async start(count: number): Promise<WorkerPool> {
    const pool = new WorkerPool();
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Process ids of the live workers. */
  get pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? 0);
  }

  /** The Handoff for every TcpProxy of the server: pass the paused client to the next worker. */
  readonly handoff = (proxy: TcpProxy, client: Socket): void => {
    if (this.sentEpochs.get(proxy.name) === proxy.epoch) this.dispatch(proxy, client);
    else this.pending.push({ proxy, client });
  };

  /** Send the state of `proxies` to every worker; resolves when all acknowledged it. */
  async sync(proxies: readonly TcpProxy[]): Promise<void> {
    const seq = ++this.seq;
    const snapshot = proxies.filter((p) => p.enabled).map((p) => this.snapshotOf(p));
    this.sentEpochs.clear();
    for (const proxy of snapshot) this.sentEpochs.set(proxy.name, proxy.epoch);
    const acks = this.workers.map((worker) => this.request(worker, { type: "sync", seq, proxies: snapshot }));
    // IPC keeps order per worker: clients sent from here on reach workers after this state.
    const pending = this.pending;
    this.pending = [];
    for (const { proxy, client } of pending) {
      if (proxy.enabled && this.sentEpochs.get(proxy.name) === proxy.epoch) this.dispatch(proxy, client);
      else client.destroy();
    }
    await Promise.all(acks);
  }

  /** Stop every worker (their connections close with them). */
  async close(): Promise<void> {
    this.closing = true;
    for (const { client } of this.pending) client.destroy();
    this.pending = [];
    await Promise.all(
      this.workers.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill("SIGKILL"), exitTimeoutMs);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private snapshotOf(proxy: TcpProxy): ProxySnapshot {
    return {
      name: proxy.name,
      epoch: proxy.epoch,
      upstream: proxy.upstream,
      toxics: proxy.toxics.list().map((t) => ({
        id: this.idOf(t),
        // An update replaces the definition's toxic instance: its identity is the version.
        version: this.idOf(t.toxic),
        name: t.name,
        type: t.type,
        direction: t.direction,
        attributes: t.attributes,
        toxicity: t.toxicity,
      })),
    };
  }

  private idOf(thing: object): number {
    let id = this.ids.get(thing);
    if (id === undefined) {
      id = ++this.lastId;
      this.ids.set(thing, id);
    }
    return id;
  }

  private dispatch(proxy: TcpProxy, client: Socket): void {
    const worker = this.workers[this.next++ % Math.max(1, this.workers.length)];
    if (worker === undefined || !worker.child.connected) {
      client.destroy();
      return;
    }
    const message: ToWorker = { type: "connection", proxy: proxy.name, epoch: proxy.epoch };
    // Node tracks a sent socket that has `.server` as "shared with a child" and then holds server.close()
    // until that child reports the key-less socket closed, which it never does: detach it first. `_server`
    // still counts it, so closing this process's copy once it is written lets the listener close at once.
    // The worker holds the socket from then on; closing the copy here shuts nothing down.
    (client as unknown as { server: unknown }).server = null;
    worker.child.send(message, client, { keepOpen: true }, () => client.destroy());
  }

  private request(worker: Worker, message: ToWorker & { seq: number }): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.waiting.delete(message.seq);
        reject(
          new Error(`toxiproxy worker ${worker.child.pid} did not acknowledge a change within ${ackTimeoutMs} ms`),
        );
      }, ackTimeoutMs);
      worker.waiting.set(message.seq, () => {
        clearTimeout(timer);
        resolve();
      });
      worker.child.send(message, (error) => {
        // A worker that is gone has nothing left to update.
        if (error !== null) worker.waiting.get(message.seq)?.();
      });
    });
  }

  private spawn(): Promise<void> {
    const here = fileURLToPath(import.meta.url);
    // From source (tsx, vitest) the worker is worker.ts loaded through tsx; bundled (toxiproxy.mjs) it is the bundle itself.
    const fromSource = here.endsWith(".ts");
    const entry = fromSource ? join(dirname(here), "worker.ts") : here;
    const execArgv = fromSource ? ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href] : [];
    const child = fork(entry, [], {
      execArgv,
      env: { ...process.env, [workerEnvironmentVariable]: "1" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    // A failed spawn also emits "exit"; that is where it is handled.
    child.on("error", () => {});
    const worker: Worker = { child, waiting: new Map() };
    this.workers.push(worker);
    child.on("message", (message: FromWorker) => {
      if (message.type === "synced") {
        const done = worker.waiting.get(message.seq);
        worker.waiting.delete(message.seq);
        done?.();
      }
    });
    child.once("exit", (code, signal) => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      for (const done of worker.waiting.values()) done();
      worker.waiting.clear();
      if (!this.closing) {
        process.stderr.write(
          `toxiproxy: worker ${child.pid} exited (${signal ?? code}); ${this.workers.length} left\n`,
        );
      }
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`toxiproxy worker not ready within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      const onReady = (message: FromWorker) => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        child.off("message", onReady);
        child.off("exit", onExit);
        resolve();
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`toxiproxy worker exited with ${code} before it was ready`));
      };
      child.on("message", onReady);
      child.once("exit", onExit);
    });
  }
}
