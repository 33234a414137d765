import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the test target misbehaves. */
export interface TargetServerOptions {
  /** The server stalls (answers nothing) for `stallForMs` once every `stallEveryMs`, starting `stallEveryMs` after start. */
  stallEveryMs?: number;
  stallForMs?: number;
  /** Fixed service time added to every answer, ms. Default 0. */
  delayMs?: number;
  /** One worker: each request takes this many ms and waits for the ones before it (capacity 1000/serviceMs per s). */
  serviceMs?: number;
}

/** A started local target on 127.0.0.1, port 0. */
export interface TargetServer extends AsyncDisposable {
  url: string;
  /** Hits per path (query dropped). */
  readonly hits: Map<string, number>;
  /** Ids handed out by POST /writes, in order. */
  readonly written: string[];
  /** Total requests seen. */
  readonly total: () => number;
  /** Arrival time of each request (ms since the server started; the first 200,000 kept). */
  readonly arrivalsMs: number[];
  close(): Promise<void>;
}

/**
 * A controllable HTTP target for load tests: `GET /ok`, `GET /items/:id` (counted per id),
 * `POST /writes` (answers `{ "id": "w<n>" }`), `GET /status/:code`, `GET /slow/:ms`.
 */
export async function startTargetServer(options: TargetServerOptions = {}): Promise<TargetServer> {
  const hits = new Map<string, number>();
  const written: string[] = [];
  let total = 0;
  let nextId = 1;
  let busyUntil = 0;
  const arrivalsMs: number[] = [];
  const t0 = performance.now();

  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const path = (req.url ?? "/").split("?")[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (req.method === "POST" && path === "/writes") {
      const id = `w${nextId++}`;
      written.push(id);
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id, received: body.length }));
      return;
    }
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      res.writeHead(Number(status[1])).end("status");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  };

  const server = createServer((req, res) => {
    total++;
    if (arrivalsMs.length < 200_000) arrivalsMs.push(performance.now() - t0);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      let wait = options.delayMs ?? 0;
      const slow = /^\/slow\/(\d+)$/.exec(req.url ?? "");
      if (slow) wait += Number(slow[1]);
      if (options.stallEveryMs && options.stallForMs) {
        const since = performance.now() - t0;
        const phase = since % options.stallEveryMs;
        // Stalls start at every multiple of stallEveryMs except 0.
        if (since >= options.stallEveryMs && phase < options.stallForMs) wait += options.stallForMs - phase;
      }
      if (options.serviceMs) {
        const now = performance.now();
        busyUntil = Math.max(busyUntil, now) + options.serviceMs;
        wait += busyUntil - now;
      }
      if (wait > 0) setTimeout(() => answer(req, res, body), wait);
      else answer(req, res, body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    written,
    total: () => total,
    arrivalsMs,
    close,
    [Symbol.asyncDispose]: close,
  };
}
