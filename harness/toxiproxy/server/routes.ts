import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ProxyCollection } from "../proxies.ts";
import type { ProxyConfig, TcpProxy } from "../proxy.ts";
import type { Direction } from "../toxic-collection.ts";
import { findToxicType } from "../toxics/index.ts";
import type { Attributes, ToxicType } from "../toxics/toxic.ts";
import { ApiError, badBody, proxyNotFound, toxicNotFound } from "./errors.ts";
import {
  asObject,
  booleanField,
  decodeBody,
  field,
  integerField,
  type JsonObject,
  numberField,
  proxyJson,
  stringField,
  toxicJson,
} from "./json.ts";
import { metricsText } from "./metrics.ts";

/** The version this server reports; clients (the Ruby one) switch to PATCH from 2.6.0 on. */
export const toxiproxyVersion = "2.12.0";

/** Request bodies above this many bytes get 413 (the Go server has no limit; 10 MB bodies still parse). */
export const maxBodyBytes = 16 * 1024 * 1024;

export interface ApiOptions {
  proxies: ProxyCollection;
  /** Serve Prometheus counters at /metrics (Toxiproxy's -proxy-metrics). Default false. */
  metrics: boolean;
  /** Awaited after every POST, PATCH and DELETE, before the answer is sent (worker processes catch up here). */
  afterChange?: () => Promise<void>;
}

type Reply = { status: number; body?: unknown; contentType?: string; raw?: string };
type Handler = (request: ApiRequest) => Promise<Reply> | Reply;
interface ApiRequest {
  params: string[];
  body: () => Promise<unknown>;
}

// Each route: path pattern (":" marks a parameter segment) and its handler per method.
function routes(options: ApiOptions): [string[], Record<string, Handler>][] {
  const { proxies } = options;
  const proxyOf = (name: string | undefined): TcpProxy => {
    const proxy = proxies.get(name ?? "");
    if (proxy === undefined) throw proxyNotFound();
    return proxy;
  };
  const updateProxy: Handler = async ({ params, body }) => {
    const proxy = proxyOf(params[0]);
    const input = asObject(await body(), "proxy.TcpProxy");
    await proxies.update(proxy, {
      listen: stringField(input, "listen", "TcpProxy"),
      upstream: stringField(input, "upstream", "TcpProxy"),
      enabled: booleanField(input, "enabled", "TcpProxy"),
    });
    return { status: 200, body: proxyJson(proxy) };
  };
  const updateToxic: Handler = async ({ params, body }) => {
    const proxy = proxyOf(params[0]);
    const toxic = proxy.toxics.find(params[1] ?? "");
    if (toxic === undefined) throw toxicNotFound();
    const input = asObject(await body(), "toxics.ToxicWrapper");
    const attributes = { ...toxic.attributes, ...readAttributes(input, toxic.kind, toxic.type, true) };
    const toxicity = numberField(input, "toxicity", "ToxicWrapper") ?? toxic.toxicity;
    checkAttributes(toxic.kind, attributes);
    proxy.toxics.update(toxic, attributes, toxicity);
    return { status: 200, body: toxicJson(toxic) };
  };
  return [
    [
      ["version"],
      {
        GET: () => ({
          status: 200,
          raw: `{"version": "${toxiproxyVersion}"}\n`,
          contentType: "application/json;charset=utf-8",
        }),
      },
    ],
    [
      ["proxies"],
      {
        GET: () => ({ status: 200, body: Object.fromEntries(proxies.list().map((p) => [p.name, proxyJson(p)])) }),
        POST: async ({ body }) => {
          const config = readProxyConfig(asObject(await body(), "proxy.TcpProxy"), "");
          return { status: 201, body: proxyJson(await proxies.add(config)) };
        },
      },
    ],
    [
      ["populate"],
      {
        POST: async ({ body }) => {
          const input = await body().catch((error: unknown) => {
            throw withProxies(error, null);
          });
          if (!Array.isArray(input)) {
            throw withProxies(
              badBody(`json: cannot unmarshal ${typeof input} into Go value of type []proxy.TcpProxy`),
              null,
            );
          }
          const configs = input.map((entry, i) => {
            try {
              return readProxyConfig(asObject(entry, "proxy.TcpProxy"), ` at proxy ${i + 1}`);
            } catch (error) {
              throw withProxies(error, null);
            }
          });
          try {
            const done = await proxies.populate(configs);
            // The Go server answers {"proxies":null} for an empty list, which crashes toxiproxy-node-client; an empty array does not.
            return { status: 201, body: { proxies: done.map(proxyJson) } };
          } catch (error) {
            if (error instanceof ApiError && Array.isArray(error.extra?.proxies)) {
              throw withProxies(error, (error.extra.proxies as TcpProxy[]).map(proxyJson));
            }
            throw error;
          }
        },
      },
    ],
    [
      ["reset"],
      {
        POST: async () => {
          await proxies.reset();
          return { status: 204 };
        },
      },
    ],
    [
      ["proxies", ":"],
      {
        GET: ({ params }) => ({ status: 200, body: proxyJson(proxyOf(params[0])) }),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ({ params }) => {
          await proxies.remove(proxyOf(params[0]));
          return { status: 204 };
        },
      },
    ],
    [
      ["proxies", ":", "toxics"],
      {
        GET: ({ params }) => ({ status: 200, body: proxyOf(params[0]).toxics.list().map(toxicJson) }),
        POST: async ({ params, body }) => {
          const proxy = proxyOf(params[0]);
          const input = asObject(await body(), "toxics.ToxicWrapper");
          const stream = stringField(input, "stream", "ToxicWrapper") ?? "downstream";
          const direction = stream.toLowerCase();
          if (direction !== "upstream" && direction !== "downstream") {
            throw new ApiError(400, "stream was invalid, can be either upstream or downstream");
          }
          const type = stringField(input, "type", "ToxicWrapper") ?? "";
          const kind = findToxicType(type);
          if (kind === undefined) throw new ApiError(400, "invalid toxic type");
          const name = stringField(input, "name", "ToxicWrapper") || `${type}_${stream}`;
          if (proxy.toxics.find(name) !== undefined) throw new ApiError(409, "toxic already exists");
          const toxicity = numberField(input, "toxicity", "ToxicWrapper") ?? 1;
          const attributes = readAttributes(input, kind, type, false);
          checkAttributes(kind, attributes);
          const definition = {
            name,
            type,
            stream,
            direction: direction as Direction,
            kind,
            attributes,
            toxicity,
            toxic: kind.create(attributes),
          };
          proxy.toxics.add(definition);
          return { status: 200, body: toxicJson(definition) };
        },
      },
    ],
    [
      ["proxies", ":", "toxics", ":"],
      {
        GET: ({ params }) => {
          const toxic = proxyOf(params[0]).toxics.find(params[1] ?? "");
          if (toxic === undefined) throw toxicNotFound();
          return { status: 200, body: toxicJson(toxic) };
        },
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: ({ params }) => {
          const proxy = proxyOf(params[0]);
          const toxic = proxy.toxics.find(params[1] ?? "");
          if (toxic === undefined) throw toxicNotFound();
          proxy.toxics.remove(toxic);
          return { status: 204 };
        },
      },
    ],
  ];
}

function withProxies(error: unknown, proxies: unknown): unknown {
  return error instanceof ApiError ? new ApiError(error.status, error.message, { proxies }) : error;
}

function readProxyConfig(input: JsonObject, where: string): ProxyConfig {
  const name = stringField(input, "name", "TcpProxy");
  const upstream = stringField(input, "upstream", "TcpProxy");
  const listen = stringField(input, "listen", "TcpProxy") ?? "";
  const enabled = booleanField(input, "enabled", "TcpProxy");
  if (!name) throw new ApiError(400, `missing required field: name${where}`);
  if (!upstream) throw new ApiError(400, `missing required field: upstream${where}`);
  return { name, upstream, listen, enabled: enabled ?? true };
}

/** The type's attributes from the body; absent or null ones are 0 on create and kept on update. */
function readAttributes(input: JsonObject, kind: ToxicType, type: string, partial: boolean): Attributes {
  const raw = field(input, "attributes");
  const object = raw === undefined || raw === null ? {} : asObject(raw, "toxics.Toxic");
  const goStruct = `${type.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}Toxic`;
  const attributes: Attributes = {};
  for (const key of kind.attributes) {
    const value = integerField(object, key, goStruct);
    if (value !== undefined) attributes[key] = value;
    else if (!partial) attributes[key] = 0;
  }
  return attributes;
}

function checkAttributes(kind: ToxicType, attributes: Attributes): void {
  const problems = kind.validate(attributes);
  if (problems.length > 0) throw badBody(`invalid attributes: ${problems.join("; ")}`);
}

/** Builds the request listener: routing, Toxiproxy's middlewares, error bodies. */
export function createApi(options: ApiOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const table = routes(options);
  // Requests are handled one at a time so that concurrent creates and updates cannot interleave.
  let queue: Promise<void> = Promise.resolve();
  return (request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const segments = path.split("/").slice(1);
    let match: { handlers: Record<string, Handler>; params: string[] } | undefined;
    if (segments.length === 1 && segments[0] === "metrics" && options.metrics) {
      const text = metricsText(options.proxies);
      response.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(text);
      return;
    }
    for (const [pattern, handlers] of table) {
      if (pattern.length !== segments.length) continue;
      const params: string[] = [];
      const ok = pattern.every((part, i) => {
        const segment = segments[i] ?? "";
        if (part !== ":") return part === segment;
        if (segment === "") return false;
        params.push(safeDecode(segment));
        return true;
      });
      if (ok) {
        match = { handlers, params };
        break;
      }
    }
    if (match === undefined) {
      response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("404 page not found\n");
      request.resume();
      return;
    }
    const handler = match.handlers[request.method ?? ""];
    if (handler === undefined) {
      response.writeHead(405).end();
      request.resume();
      return;
    }
    response.setHeader("X-Toxiproxy-Request-Id", requestId());
    if ((request.headers["user-agent"] ?? "").startsWith("Mozilla/")) {
      response.writeHead(403, { "Content-Type": "text/plain; charset=utf-8" }).end("User agent not allowed\n");
      request.resume();
      return;
    }
    const bodyPromise = readBody(request);
    // Swallow here; the handler that asks for the body sees the failure.
    bodyPromise.catch(() => {});
    const params = match.params;
    const changes = request.method !== "GET";
    const run = async () => {
      let reply: Reply | undefined;
      let failure: unknown;
      try {
        reply = await handler({ params, body: async () => decodeBody(await bodyPromise) });
      } catch (error) {
        failure = error;
      }
      // A failed request may have changed state too (populate stops at the first failure).
      if (changes && options.afterChange !== undefined) {
        try {
          await options.afterChange();
        } catch (error) {
          if (reply !== undefined) failure = error;
          reply = undefined;
        }
      }
      if (reply !== undefined) send(response, reply);
      else sendError(response, failure);
    };
    queue = queue.then(run, run);
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (part: Buffer) => {
      size += part.length;
      if (size > maxBodyBytes) tooLarge = true;
      else parts.push(part);
    });
    request.on("end", () => {
      if (tooLarge) reject(new ApiError(413, `request body larger than ${maxBodyBytes} bytes`));
      else resolve(Buffer.concat(parts).toString("utf8"));
    });
    request.on("error", reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.destroyed) return;
  if (reply.status === 204) {
    response.writeHead(204).end();
    return;
  }
  const text = reply.raw ?? JSON.stringify(reply.body);
  response.writeHead(reply.status, { "Content-Type": reply.contentType ?? "application/json" }).end(text);
}

function sendError(response: ServerResponse, error: unknown): void {
  if (response.destroyed) return;
  const apiError =
    error instanceof ApiError ? error : new ApiError(500, error instanceof Error ? error.message : String(error));
  const body = { error: apiError.message, status: apiError.status, ...apiError.extra };
  // Populate errors are JSON; the rest go through Go's http.Error, which says text/plain.
  const contentType = apiError.extra ? "application/json" : "text/plain; charset=utf-8";
  response
    .writeHead(apiError.status, { "Content-Type": contentType, "X-Content-Type-Options": "nosniff" })
    .end(`${JSON.stringify(body)}\n`);
}

/** A 20-character id in xid's alphabet (0-9, a-v), as Toxiproxy's X-Toxiproxy-Request-Id. */
function requestId(): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuv";
  let id = "";
  for (const byte of randomBytes(20)) id += alphabet[byte & 31];
  return id;
}
