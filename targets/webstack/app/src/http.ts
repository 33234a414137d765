import type { IncomingMessage, ServerResponse } from "node:http";
import { ClientError, Unavailable } from "./dependency.ts";
import { errorText, log } from "./log.ts";
import { httpDuration, httpRequests } from "./metrics.ts";

/** What a route handler returns: a status, a JSON body and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw text body (for /metrics). */
  text?: string;
}

export interface RouteContext {
  req: IncomingMessage;
  params: Record<string, string>;
  /** The parsed JSON body (POST), or {} when empty. */
  body: Record<string, unknown>;
}

export interface Route {
  method: string;
  /** Pattern with `:name` parameters, also the `route` label in metrics. */
  pattern: string;
  handler: (ctx: RouteContext) => Promise<Reply>;
  /** Counted by the rate limiter (everything but health and metrics). */
  limited: boolean;
}

interface Compiled extends Route {
  re: RegExp;
  names: string[];
}

function compile(r: Route): Compiled {
  const names: string[] = [];
  const src = r.pattern.replace(/:([a-zA-Z]+)/g, (_, n: string) => {
    names.push(n);
    return "([^/]+)";
  });
  return { ...r, re: new RegExp(`^${src}$`), names };
}

const MAX_BODY_BYTES = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (req.method === "GET" || req.method === "HEAD") return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ClientError(413, "body too large");
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch {
    throw new ClientError(400, "body must be a JSON object");
  }
}

function send(res: ServerResponse, reply: Reply, instance: string): void {
  const headers: Record<string, string> = { "x-instance": instance, ...reply.headers };
  let payload: string;
  if (reply.text !== undefined) {
    payload = reply.text;
  } else {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(reply.body ?? {});
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Maps an error to its answer: 4xx for the caller's mistakes, 503 + Retry-After for outages. */
export function errorReply(err: unknown): Reply {
  if (err instanceof ClientError) return { status: err.status, body: { error: err.message } };
  if (err instanceof Unavailable) {
    return {
      status: 503,
      headers: { "retry-after": String(err.retryAfterS) },
      body: { error: err.message, dependency: err.dependency, reason: err.reason },
    };
  }
  log("error", "unexpected error", { error: errorText(err) });
  return { status: 500, body: { error: "internal error" } };
}

/**
 * A tiny router on node:http: matches the route, applies the gate (rate limit, readiness),
 * records the request metrics, and never lets a handler's error escape as a crash.
 */
export function makeHandler(
  /** Named in every reply's X-Instance header, so a client sees which app answered. */
  instance: string,
  routes: Route[],
  gate: (route: Route, req: IncomingMessage) => Promise<Reply | null>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = routes.map(compile);
  return (req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    let route: Compiled | undefined;
    let params: Record<string, string> = {};
    for (const r of compiled) {
      if (r.method !== req.method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      route = r;
      params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
      break;
    }
    const label = route?.pattern ?? "unmatched";
    const run = async (): Promise<Reply> => {
      if (!route) return { status: 404, body: { error: `no route ${req.method} ${path}` } };
      const refused = await gate(route, req);
      if (refused) return refused;
      const body = await readBody(req);
      return route.handler({ req, params, body });
    };
    run()
      .catch(errorReply)
      .then((reply) => {
        send(res, reply, instance);
        const s = Number(process.hrtime.bigint() - started) / 1e9;
        httpRequests.inc({ route: label, method: req.method ?? "?", status: String(reply.status) });
        httpDuration.observe({ route: label, method: req.method ?? "?" }, s);
      })
      .catch((err) => log("error", "could not send a reply", { error: errorText(err) }));
  };
}
