import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ProxyCollection } from "../proxies.ts";
import type { ProxyConfig } from "../proxy.ts";
import { WorkerPool } from "../workers.ts";
import { decodeBody } from "./json.ts";
import { createApi } from "./routes.ts";

export interface ToxiproxyServerOptions {
  /** Address of the HTTP API. Default "127.0.0.1" ("localhost" means 127.0.0.1, as in Go). */
  host?: string;
  /** Port of the HTTP API; 0 picks a free one. Default 8474. */
  port?: number;
  /** Proxies created at start-up: a /populate JSON file path, or the entries themselves. */
  config?: string | readonly ProxyConfig[];
  /** Serve Prometheus byte counters at /metrics. Default false; not available with workers > 1. */
  metrics?: boolean;
  /**
   * Processes that proxy the TCP traffic. Default 1: everything in this process. N > 1 forks N worker
   * processes (this one keeps the API, the state and the listeners; see workers.ts).
   */
  workers?: number;
}

/** A running Toxiproxy-compatible server; disposing it stops every proxy and the API. */
export interface ToxiproxyServer extends AsyncDisposable {
  /** Base URL of the API, e.g. "http://127.0.0.1:8474". */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly proxies: ProxyCollection;
  /** Process ids of the worker processes; empty with workers 1. */
  readonly workerPids: readonly number[];
  close(): Promise<void>;
}

/** The proxies of a populate JSON file (an array of {name, listen, upstream, enabled?}). */
export async function readProxyConfigFile(path: string): Promise<ProxyConfig[]> {
  const value = decodeBody(await readFile(path, "utf8"));
  if (!Array.isArray(value)) throw new Error(`${path}: expected a JSON array of proxies`);
  return value.map((entry, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.name !== "string" || typeof e.upstream !== "string") {
      throw new Error(`${path}: proxy ${i + 1} needs string fields name and upstream`);
    }
    return {
      name: e.name,
      upstream: e.upstream,
      listen: typeof e.listen === "string" ? e.listen : "",
      enabled: e.enabled !== false,
    };
  });
}

/** Start the API (and the proxies of `config`); a failed start undoes itself and rethrows. */
export async function startToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const host = options.host === undefined || options.host === "localhost" ? "127.0.0.1" : options.host;
  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(workerCount) || workerCount < 1)
    throw new Error(`workers must be an integer >= 1, got ${workerCount}`);
  if (workerCount > 1 && options.metrics === true) throw new Error("/metrics is not available with more than 1 worker");
  const pool = workerCount > 1 ? await WorkerPool.start(workerCount) : undefined;
  const proxies = new ProxyCollection({ handoff: pool?.handoff });
  const afterChange = pool && (() => pool.sync(proxies.list()));
  const http: Server = createServer(createApi({ proxies, metrics: options.metrics ?? false, afterChange }));
  http.keepAliveTimeout = 60_000;
  try {
    if (options.config !== undefined) {
      const configs = typeof options.config === "string" ? await readProxyConfigFile(options.config) : options.config;
      await proxies.populate(configs);
      await afterChange?.();
    }
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(options.port ?? 8474, host, () => {
        http.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await proxies.clear();
    await pool?.close();
    http.close();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await proxies.clear();
      await pool?.close();
      await closed;
    })();
    return closing;
  };
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    proxies,
    workerPids: pool?.pids ?? [],
    close,
    [Symbol.asyncDispose]: close,
  };
}
