import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { hostname } from "node:os";
import { Redis } from "ioredis";
import { Accounts, type Accounts as AccountsT } from "./accounts.ts";
import { readConfig } from "./config.ts";
import { findPrimaryUrl, makePool, type NamedPool, registerPoolMetrics } from "./db.ts";
import { ClientError, Dependency, type DependencyName } from "./dependency.ts";
import { makeHandler, type Reply, type Route } from "./http.ts";
import { errorText, log } from "./log.ts";
import { registry } from "./metrics.ts";
import { Orders } from "./orders.ts";
import { ensureGroup, OrderConsumer, OrderEvents, registerQueueMetrics } from "./queue.ts";
import { RateLimiter } from "./rate-limit.ts";
import { seedPrimary, seedShard } from "./seed.ts";
import { Users } from "./users.ts";

const { config: cfg, problems } = readConfig(process.env, hostname());

// The app's life: it answers /health from the first moment, and only "ready" serves traffic.
let phase: "starting" | "ready" | "draining" | "misconfigured" = problems.length ? "misconfigured" : "starting";
let waitingFor = "";
let lastError = "";

const breakerOn = cfg.circuitBreaker === "on";
const dep = (name: DependencyName, timeoutMs: number) =>
  new Dependency(name, {
    timeoutMs,
    breaker: breakerOn,
    breakerFailures: cfg.breakerFailures,
    halfOpenAfterMs: cfg.breakerHalfOpenMs,
  });
const deps = {
  cache: dep("cache", cfg.redisTimeoutMs),
  db_write: dep("db_write", cfg.dbTimeoutMs),
  db_read: dep("db_read", cfg.dbTimeoutMs),
  shard1: dep("shard1", cfg.dbTimeoutMs),
  shard2: dep("shard2", cfg.dbTimeoutMs),
  queue: dep("queue", cfg.redisTimeoutMs),
};

function redisClient(name: string, url: string, blocking = false): Redis {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    // Fail fast while disconnected (the breaker counts it) instead of queueing commands.
    enableOfflineQueue: false,
    maxRetriesPerRequest: blocking ? null : 0,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  let last = "";
  r.on("error", (err) => {
    const msg = errorText(err);
    if (msg !== last) log("warn", `redis ${name}: ${msg}`);
    last = msg;
  });
  r.on("ready", () => {
    if (last) log("info", `redis ${name}: connected`);
    last = "";
  });
  return r;
}

const cacheRedis = redisClient("cache", cfg.cacheUrl);
const queueRedis = redisClient("queue", cfg.queueUrl);
const consumerRedis = redisClient("queue-consumer", cfg.queueUrl, true);

let writePool: NamedPool | undefined;
const readPool = makePool("read", cfg.dbReadUrl, cfg);
const shardPools = cfg.shardUrls.map((u, i) => makePool(`shard${i + 1}`, u, cfg));
registerPoolMetrics(() => [...(writePool ? [writePool] : []), readPool, ...shardPools]);
registerQueueMetrics(queueRedis, cfg.redisTimeoutMs);

const users = new Users(cacheRedis, deps.cache, readPool.pool, deps.db_read, {
  cacheTtlS: cfg.cacheTtlS,
  cacheStaleS: cfg.cacheStaleS,
  stampedeProtection: cfg.stampedeProtection === "on",
  dbTimeoutMs: cfg.dbTimeoutMs,
});
const orders = new Orders(() => writePool!.pool, deps.db_write);
const shardDeps = [deps.shard1, deps.shard2];
const accounts: AccountsT = new Accounts(shardPools.map((p, i) => ({ pool: p.pool, dependency: shardDeps[i]! })));
const events = new OrderEvents(queueRedis, deps.queue);
const limiter = new RateLimiter(cacheRedis, deps.cache, cfg.rateLimitRps, cfg.rateLimitBurst);
const consumer = new OrderConsumer(
  consumerRedis,
  cfg.instance,
  cfg.queueMaxDeliveries,
  cfg.queueRetryIdleMs,
  async (f) => {
    if (!f.orderId) throw new Error("event without orderId");
    await orders.markProcessed(f.orderId);
  },
);

function positiveInt(raw: string | undefined, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ClientError(400, `${what} must be a positive integer`);
  return n;
}

function switches() {
  return {
    STAMPEDE_PROTECTION: cfg.stampedeProtection,
    CIRCUIT_BREAKER: cfg.circuitBreaker,
    DB_FAILOVER: cfg.dbFailover,
    RATE_LIMIT: cfg.rateLimit,
  };
}

function dependencyStates() {
  return Object.fromEntries(Object.values(deps).map((d) => [d.name, d.state()]));
}

function healthReply(): Reply {
  const body = {
    status: phase === "ready" ? "ok" : phase,
    instance: cfg.instance,
    switches: switches(),
    dependencies: dependencyStates(),
    ...(phase === "misconfigured" ? { problems } : {}),
    ...(phase === "starting" ? { waitingFor, lastError } : {}),
  };
  return { status: phase === "ready" ? 200 : 503, body };
}

const routes: Route[] = [
  // Liveness + startup readiness: the lb and Docker's healthcheck use it. An outage after start does
  // not fail it (the breakers and fallbacks answer instead); /health/ready reports those.
  { method: "GET", pattern: "/health", limited: false, handler: async () => healthReply() },
  {
    method: "GET",
    pattern: "/health/ready",
    limited: false,
    handler: async () => {
      const h = healthReply();
      const open = Object.entries(dependencyStates()).filter(([, s]) => s === "open");
      return open.length && h.status === 200 ? { ...h, status: 503 } : h;
    },
  },
  {
    method: "GET",
    pattern: "/metrics",
    limited: false,
    handler: async () => ({
      status: 200,
      headers: { "content-type": registry.contentType },
      text: await registry.metrics(),
    }),
  },
  {
    method: "GET",
    pattern: "/users/:id",
    limited: true,
    handler: async ({ params }) => {
      const r = await users.get(positiveInt(params.id, "user id"));
      const headers = { "x-cache": r.source };
      return r.user
        ? { status: 200, body: r.user, headers }
        : { status: 404, body: { error: "no such user" }, headers };
    },
  },
  {
    method: "POST",
    pattern: "/orders",
    limited: true,
    handler: async ({ req, body }) => {
      const userId = positiveInt(String(body.userId ?? ""), "userId");
      const amountCents = positiveInt(String(body.amountCents ?? ""), "amountCents");
      const headerKey = req.headers["idempotency-key"];
      const key =
        (typeof headerKey === "string" && headerKey) ||
        (typeof body.idempotencyKey === "string" && body.idempotencyKey) ||
        randomUUID();
      const { order, replayed } = await orders.create(key, userId, amountCents);
      if (!replayed) {
        await events
          .publish(order.id, userId, amountCents)
          .catch((err) => log("warn", "order event not published", { orderId: order.id, error: errorText(err) }));
      }
      return { status: replayed ? 200 : 201, body: order, headers: replayed ? { "idempotent-replayed": "true" } : {} };
    },
  },
  {
    method: "GET",
    pattern: "/orders/:id",
    limited: true,
    handler: async ({ params }) => {
      const id = String(positiveInt(params.id, "order id"));
      const order = await orders.get(id);
      return order ? { status: 200, body: order } : { status: 404, body: { error: "no such order" } };
    },
  },
  {
    method: "GET",
    pattern: "/accounts/:id",
    limited: true,
    handler: async ({ params }) => {
      const a = await accounts.get(positiveInt(params.id, "account id"));
      return a ? { status: 200, body: a } : { status: 404, body: { error: "no such account" } };
    },
  },
  {
    method: "POST",
    pattern: "/accounts/:id/credit",
    limited: true,
    handler: async ({ req, params, body }) => {
      const id = positiveInt(params.id, "account id");
      const amountCents = positiveInt(String(body.amountCents ?? ""), "amountCents");
      const headerKey = req.headers["idempotency-key"];
      const key = (typeof headerKey === "string" && headerKey) || randomUUID();
      const r = await accounts.credit(id, amountCents, key);
      if (!r.account) return { status: 404, body: { error: "no such account" } };
      return { status: r.replayed ? 200 : 201, body: r.account };
    },
  },
];

// Behind the lb the client is the first X-Forwarded-For address; X-Client-Id lets a load generator name its virtual users.
function clientOf(req: IncomingMessage): string {
  const id = req.headers["x-client-id"];
  if (typeof id === "string" && id) return id.slice(0, 128);
  const fwd = req.headers["x-forwarded-for"];
  if (typeof fwd === "string" && fwd) return fwd.split(",")[0]!.trim();
  return req.socket.remoteAddress ?? "unknown";
}

async function gate(route: Route, req: IncomingMessage): Promise<Reply | null> {
  if (!route.limited) return null;
  if (phase !== "ready") {
    return { status: 503, headers: { "retry-after": "1" }, body: { error: `app is ${phase}` } };
  }
  if (cfg.rateLimit === "off") return null;
  const d = await limiter.take(clientOf(req));
  if (d.allowed) return null;
  return { status: 429, headers: { "retry-after": String(d.retryAfterS) }, body: { error: "rate limit exceeded" } };
}

const server = createServer(makeHandler(cfg.instance, routes, gate));
server.keepAliveTimeout = 65_000;
server.listen(cfg.port, () =>
  log("info", `listening on :${cfg.port}`, { instance: cfg.instance, switches: switches() }),
);

// Retries one start step until it succeeds, with one log line per new error (no crash, no stack trace).
async function step(name: string, fn: () => Promise<unknown>): Promise<void> {
  waitingFor = name;
  let lastLogged = "";
  let lastLoggedAt = 0;
  for (;;) {
    if (phase !== "starting") throw new Error("startup abandoned");
    try {
      await fn();
      if (lastLogged) log("info", `${name} reachable`);
      lastError = "";
      return;
    } catch (err) {
      lastError = errorText(err);
      if (lastError !== lastLogged || Date.now() - lastLoggedAt > 15_000) {
        log("warn", `waiting for ${name}: ${lastError}`, { dependency: name });
        lastLogged = lastError;
        lastLoggedAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function start(): Promise<void> {
  const t0 = Date.now();
  if (cfg.dbFailover === "on") {
    writePool = makePool("write", cfg.dbWriteUrl, cfg);
  } else {
    let url = "";
    await step("a primary among DB_NODES (DB_FAILOVER=off)", async () => {
      url = await findPrimaryUrl(cfg);
    });
    writePool = makePool("write", url, cfg);
    log("warn", `DB_FAILOVER=off: writes pinned to ${writePool.target}, a failover will not be followed`);
  }
  await step(`db_write (${writePool.target})`, () => seedPrimary(writePool!.pool, cfg.seedUsers));
  await step(`db_read (${readPool.target})`, () => readPool.pool.query("SELECT 1 FROM users LIMIT 1"));
  for (const [i, p] of shardPools.entries()) {
    await step(`shard${i + 1} (${p.target})`, () => seedShard(p.pool, i, shardPools.length, cfg.seedAccountsPerShard));
  }
  await step("cache", async () => {
    if (cacheRedis.status !== "ready") await cacheRedis.connect().catch(() => {});
    await cacheRedis.ping();
  });
  await step("queue", async () => {
    if (queueRedis.status !== "ready") await queueRedis.connect().catch(() => {});
    await ensureGroup(queueRedis);
  });
  await consumerRedis.connect().catch(() => {});
  consumer.start();
  phase = "ready";
  waitingFor = "";
  log("info", `ready in ${Date.now() - t0} ms`, { instance: cfg.instance });
}

if (phase === "misconfigured") {
  for (const p of problems) log("error", `configuration error: ${p}`);
  log("error", "not starting: fix the configuration above; /health answers 503 until then");
} else {
  start().catch((err) => {
    if (phase === "starting") log("error", `start failed: ${errorText(err)}`);
  });
}

async function shutdown(signal: string): Promise<void> {
  if (phase === "draining") return;
  log("info", `${signal}: draining (at most ${cfg.shutdownGraceMs} ms)`);
  phase = "draining";
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  await Promise.race([closed, new Promise((r) => setTimeout(r, cfg.shutdownGraceMs))]);
  server.closeAllConnections();
  await Promise.race([
    Promise.allSettled([
      consumer.stop(),
      ...(writePool ? [writePool.pool.end()] : []),
      readPool.pool.end(),
      ...shardPools.map((p) => p.pool.end()),
    ]),
    new Promise((r) => setTimeout(r, 3000)),
  ]);
  cacheRedis.disconnect();
  queueRedis.disconnect();
  consumerRedis.disconnect();
  log("info", "stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("unhandledRejection", (err) => log("error", "unhandled rejection", { error: errorText(err) }));
