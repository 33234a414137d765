import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pingDocker } from "../../harness/runtime/docker/index.ts";
import { type StartedTopology, up } from "../../harness/topology/index.ts";

// The reference target against real Docker: each test prints the figure it measured.
const composeFile = path.resolve(import.meta.dirname, "../../compose.yaml");
const dockerUp = await pingDocker().then(
  () => true,
  () => false,
);
// CI sets HARNESS_REQUIRE_DOCKER=1: then a missing daemon fails these tests instead of skipping them.
const suite = dockerUp || process.env.HARNESS_REQUIRE_DOCKER === "1" ? describe : describe.skip;

const APPS = ["app1", "app2", "app3"] as const;
const HOT_USER_ID = 7;

interface Sample {
  status: number;
  ms: number;
  retryAfter: string | null;
  cache: string | null;
}

async function request(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Sample> {
  const t0 = performance.now();
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return {
      status: r.status,
      ms: performance.now() - t0,
      retryAfter: r.headers.get("retry-after"),
      cache: r.headers.get("x-cache"),
    };
  } catch {
    return { status: 0, ms: performance.now() - t0, retryAfter: null, cache: null };
  }
}

/** Runs `count` calls of `fn` with at most `concurrency` in flight. */
async function pool<T>(count: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      for (let i = next++; i < count; i = next++) out[i] = await fn(i);
    }),
  );
  return out;
}

function p99(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(s.length * 0.99) - 1)] ?? Number.NaN;
}

/** Sum of one Prometheus series (name + exact label text) over the three apps. */
async function metricSum(topo: StartedTopology, series: RegExp): Promise<number> {
  let sum = 0;
  for (const app of APPS) {
    const text = await (await fetch(topo.endpoint(app, 3000).url("/metrics"))).text();
    for (const line of text.split("\n")) {
      const m = series.exec(line);
      if (m) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sum;
}

async function toxiproxy(topo: StartedTopology, method: string, pathname: string, body?: unknown): Promise<void> {
  const r = await fetch(topo.endpoint("toxiproxy", 8474).url(pathname), {
    method,
    headers: { "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok && r.status !== 404) throw new Error(`toxiproxy ${method} ${pathname}: ${r.status} ${await r.text()}`);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function startWebstack(env: Record<string, string>): Promise<{ topo: StartedTopology; reportsDir: string }> {
  const reportsDir = await mkdtemp(path.join(tmpdir(), "webstack-reports-"));
  const t0 = performance.now();
  const topo = await up({ file: composeFile, env, reportsDir });
  console.log(`webstack up (${JSON.stringify(env)}) took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { topo, reportsDir };
}

/**
 * Deletes the hot user's cache entry and sends 200 concurrent reads of it through the lb.
 * The connections are opened beforehand and the origin gets a 300 ms latency toxic meanwhile,
 * so the 200 misses overlap as they do under real load (not one after the other).
 * @returns the origin queries for that key, summed over the apps
 */
async function stampede(topo: StartedTopology): Promise<{ originQueries: number; statuses: Record<number, number> }> {
  const lb = topo.endpoint("lb", 8080);
  const warm = await request(lb.url(`/users/${HOT_USER_ID}`));
  expect(warm.status).toBe(200);
  const series = new RegExp(`^origin_db_queries_total\\{query="user_by_id",key="user:${HOT_USER_ID}"\\} `);
  await Promise.all(Array.from({ length: 200 }, () => request(lb.url("/health"))));
  const before = await metricSum(topo, series);
  await toxiproxy(topo, "POST", "/proxies/db_read/toxics", {
    name: "stampede_slow_origin",
    type: "latency",
    stream: "downstream",
    attributes: { latency: 300 },
  });
  const cache = topo.endpoint("cache", 6379);
  const redis = new Redis({ host: cache.host, port: cache.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  let samples: Sample[];
  try {
    await redis.connect();
    expect(await redis.del(`user:${HOT_USER_ID}`)).toBe(1);
    samples = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(lb.url(`/users/${HOT_USER_ID}`), { headers: { "x-client-id": `stampede-${i}` } }),
      ),
    );
  } finally {
    redis.disconnect();
    await toxiproxy(topo, "DELETE", "/proxies/db_read/toxics/stampede_slow_origin");
  }
  const statuses: Record<number, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return { originQueries: (await metricSum(topo, series)) - before, statuses };
}

suite("webstack reference target (protections on)", () => {
  let topo: StartedTopology;
  let reportsDir = "";

  beforeAll(async () => {
    // A low per-client limit so the limiter test can cross it (the other tests name their clients);
    // quick redeliveries so the dead-letter test does not wait 30 s.
    ({ topo, reportsDir } = await startWebstack({
      RATE_LIMIT_RPS: "20",
      RATE_LIMIT_BURST: "50",
      QUEUE_RETRY_IDLE_MS: "1500",
    }));
  });
  afterAll(async () => {
    await topo?.down();
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  it("serves the second read of a user from the cache, and the metrics count the hit", async () => {
    const lb = topo.endpoint("lb", 8080);
    const hitsBefore = await metricSum(topo, /^cache_hits_total\{cache="users"\} /);
    const first = await request(lb.url("/users/4242"), { headers: { "x-client-id": "cache-test" } });
    const second = await request(lb.url("/users/4242"), { headers: { "x-client-id": "cache-test" } });
    const hits = (await metricSum(topo, /^cache_hits_total\{cache="users"\} /)) - hitsBefore;
    console.log(
      `cache: first read ${first.cache} ${first.ms.toFixed(1)} ms, second ${second.cache} ${second.ms.toFixed(1)} ms, hits +${hits}`,
    );
    expect([first.status, first.cache]).toEqual([200, "origin"]);
    expect([second.status, second.cache]).toEqual([200, "cache"]);
    expect(hits).toBe(1);
  });

  it("answers 201 after commit, reads the order back from the primary, and replays the idempotency key", async () => {
    const lb = topo.endpoint("lb", 8080);
    const key = `order-test-${Date.now()}`;
    const post = () =>
      fetch(lb.url("/orders"), {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key, "x-client-id": "order-test" },
        body: JSON.stringify({ userId: 12, amountCents: 1999 }),
      });
    const created = await post();
    expect(created.status).toBe(201);
    const order = (await created.json()) as { id: string; amountCents: number };
    const read = await fetch(lb.url(`/orders/${order.id}`), { headers: { "x-client-id": "order-test" } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: order.id, userId: 12, amountCents: 1999, idempotencyKey: key });
    const again = await post();
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(order.id);
    console.log(`order ${order.id} committed, read back from the primary, replay returned the same id`);
  });

  it("routes accounts to their shard and credits once per idempotency key", async () => {
    const lb = topo.endpoint("lb", 8080);
    const shards = new Set<number>();
    for (const id of [1, 2, 3, 4, 5, 6]) {
      const r = await fetch(lb.url(`/accounts/${id}`), { headers: { "x-client-id": "accounts-test" } });
      expect(r.status).toBe(200);
      shards.add(((await r.json()) as { shard: number }).shard);
    }
    expect([...shards].sort()).toEqual([1, 2]);
    const credit = () =>
      fetch(lb.url("/accounts/3/credit"), {
        method: "POST",
        headers: { "idempotency-key": "credit-once", "x-client-id": "accounts-test" },
        body: JSON.stringify({ amountCents: 250 }),
      });
    const a = (await (await credit()).json()) as { balanceCents: number };
    const b = (await (await credit()).json()) as { balanceCents: number };
    expect(b.balanceCents).toBe(a.balanceCents);
  });

  it("answers 429 with Retry-After past the per-client rate", async () => {
    const lb = topo.endpoint("lb", 8080);
    const samples = await pool(300, 30, () =>
      request(lb.url(`/users/${HOT_USER_ID}`), { headers: { "x-client-id": "greedy-client" } }),
    );
    const limited = samples.filter((s) => s.status === 429);
    const ok = samples.filter((s) => s.status === 200);
    console.log(`rate limit (20/s, burst 50): ${ok.length} x 200, ${limited.length} x 429 of 300`);
    expect(limited.length).toBeGreaterThan(100);
    expect(ok.length).toBeGreaterThanOrEqual(50);
    expect(limited.every((s) => Number(s.retryAfter) >= 1)).toBe(true);
    // Another client is not affected.
    expect((await request(lb.url("/users/8"), { headers: { "x-client-id": "polite-client" } })).status).toBe(200);
  });

  it("sends about one origin query when a hot key is deleted under 200 concurrent reads", async () => {
    const { originQueries, statuses } = await stampede(topo);
    console.log(
      `stampede, protection on: ${originQueries} origin queries for 200 reads, statuses ${JSON.stringify(statuses)}`,
    );
    expect(statuses[200]).toBe(200);
    expect(originQueries).toBeGreaterThanOrEqual(1);
    expect(originQueries).toBeLessThanOrEqual(3);
  });

  it("opens the db_read breaker under a 3 s latency toxic and answers uncached users 503 fast", async () => {
    // The baseline below reads a cached user: cache it first, so the test does not lean on an earlier one.
    expect((await request(topo.endpoint("lb", 8080).url(`/users/${HOT_USER_ID}`))).status).toBe(200);
    await toxiproxy(topo, "POST", "/proxies/db_read/toxics", {
      name: "breaker_slow_read",
      type: "latency",
      stream: "downstream",
      attributes: { latency: 3000 },
    });
    try {
      // Trip each app's breaker: five timed-out reads of uncached users, straight at each app.
      await Promise.all(
        APPS.map((app, a) =>
          pool(8, 4, (i) => request(topo.endpoint(app, 3000).url(`/users/${9000 + a * 10 + i}`), {}, 5000)),
        ),
      );
      await until(
        "every app's db_read breaker open",
        async () =>
          (await metricSum(topo, /^circuit_breaker_state\{dependency="db_read"\} /)) === 6 ? true : undefined,
        10_000,
      );
      const lb = topo.endpoint("lb", 8080);
      const uncached = (i: number) =>
        request(lb.url(`/users/${5000 + i}`), { headers: { "x-client-id": `breaker-${i}` } });
      // The same path minus the origin (limiter + cache read), interleaved: the machine's own latency now.
      const cached = (i: number) =>
        request(lb.url(`/users/${HOT_USER_ID}`), { headers: { "x-client-id": `base-${i}` } });
      // Connections and code paths warm first: the figure is the open breaker's answer time, not TCP setup.
      await pool(30, 5, (i) => uncached(300 + i));
      const pairs = await pool(200, 5, async (i) => [await uncached(i), await cached(i)] as const);
      const samples = pairs.map((p) => p[0]);
      const latency = p99(samples.map((s) => s.ms));
      const baseline = p99(pairs.map((p) => p[1].ms));
      const statuses = new Set(samples.map((s) => s.status));
      console.log(
        `breaker open: 200 uncached reads (5 concurrent), statuses ${[...statuses]}, p99 ${latency.toFixed(1)} ms; ` +
          `cache hits on the same path meanwhile p99 ${baseline.toFixed(1)} ms`,
      );
      expect([...statuses]).toEqual([503]);
      expect(samples.every((s) => Number(s.retryAfter) >= 1)).toBe(true);
      expect(pairs.every((p) => p[1].status === 200)).toBe(true);
      // 50 ms on a machine whose cache hits answer within 33 ms; on a saturated one, no slower than 1.5 cache hits.
      expect(latency).toBeLessThan(Math.max(50, baseline * 1.5));
    } finally {
      await toxiproxy(topo, "DELETE", "/proxies/db_read/toxics/breaker_slow_read");
    }
  });

  it("retries an order event that keeps failing and moves it to the dead-letter stream", async () => {
    const q = topo.endpoint("queue", 6379);
    const redis = new Redis({ host: q.host, port: q.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    const t0 = performance.now();
    try {
      await redis.connect();
      // Not an order id: the consumer's UPDATE fails on every delivery.
      const poison = await redis.xadd("orders", "*", "orderId", "not-a-number", "userId", "1", "amountCents", "1");
      const dead = await until(
        "the poison event in orders:dead",
        async () => {
          const entries = await redis.xrange("orders:dead", "-", "+");
          return entries.find(([, f]) => f[1] === poison);
        },
        45_000,
      );
      const fields = dead[1];
      const deliveries = Number(fields[fields.indexOf("deliveries") + 1]);
      const gauge = await metricSum(topo, /^queue_dead_letters /);
      console.log(
        `dead letter: event ${poison} moved after ${deliveries} deliveries, ${((performance.now() - t0) / 1000).toFixed(1)} s; queue_dead_letters (sum of 3 apps) ${gauge}`,
      );
      expect(deliveries).toBe(4);
      expect(gauge).toBeGreaterThanOrEqual(3);
    } finally {
      redis.disconnect();
    }
  });

  it("fails over when the Patroni leader is killed, and POST /orders succeeds again", async () => {
    const cluster = (await (await fetch(topo.endpoint("db1", 8008).url("/cluster"))).json()) as {
      members: { name: string; role: string }[];
    };
    const leader = cluster.members.find((m) => m.role === "leader")?.name;
    expect(leader).toMatch(/^db[123]$/);
    const lb = topo.endpoint("lb", 8080);
    const t0 = performance.now();
    await topo.container(leader!).kill();
    let attempt = 0;
    const created = await until(
      "POST /orders answering 201 after the failover",
      async () => {
        attempt++;
        const r = await request(
          lb.url("/orders"),
          {
            method: "POST",
            headers: { "idempotency-key": `failover-${attempt}`, "x-client-id": "failover-test" },
            body: JSON.stringify({ userId: 3, amountCents: 100 }),
          },
          3000,
        );
        return r.status === 201 ? r : undefined;
      },
      60_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    const survivor = leader === "db1" ? "db2" : "db1";
    const after = (await (await fetch(topo.endpoint(survivor, 8008).url("/cluster"))).json()) as {
      members: { name: string; role: string }[];
    };
    const newLeader = after.members.find((m) => m.role === "leader")?.name;
    console.log(
      `failover: killed ${leader}, ${newLeader} is primary, POST /orders 201 again after ${seconds.toFixed(1)} s (${attempt} attempts)`,
    );
    expect(created.status).toBe(201);
    expect(newLeader).toBeDefined();
    expect(newLeader).not.toBe(leader);
    expect(seconds).toBeLessThan(45);
  });

  it("reports bad configuration and unreachable dependencies in /health without crashing", async () => {
    // A second app process inside app1's container, on a spare port, with a bad switch value.
    const bad = await topo
      .container("app1")
      .exec(
        [
          "sh",
          "-c",
          "STAMPEDE_PROTECTION=maybe PORT=3901 timeout 4 node /app/server.cjs > /tmp/bad.log 2>&1 & sleep 2; curl -s -w ' %{http_code}' http://127.0.0.1:3901/health; echo; cat /tmp/bad.log",
        ],
        { timeoutMs: 15_000 },
      );
    expect(bad.stdout).toMatch(/"status":"misconfigured".* 503/);
    expect(bad.stdout).toContain('configuration error: STAMPEDE_PROTECTION=\\"maybe\\" is not a switch value');
    expect(bad.stdout).not.toMatch(/\n\s+at /);
    const unreachable = await topo
      .container("app1")
      .exec(
        [
          "sh",
          "-c",
          "DB_WRITE_URL=postgres://app:app@127.0.0.1:1/webstack PORT=3902 timeout 4 node /app/server.cjs > /tmp/unr.log 2>&1 & sleep 2.5; curl -s -w ' %{http_code}' http://127.0.0.1:3902/health; echo; cat /tmp/unr.log",
        ],
        { timeoutMs: 15_000 },
      );
    expect(unreachable.stdout).toMatch(/"status":"starting".* 503/);
    expect(unreachable.stdout).toMatch(/waiting for db_write \(127\.0\.0\.1:1\/webstack\): .*ECONNREFUSED/);
    console.log("bad config and unreachable db: /health 503 with the reason, one log line each, no stack trace");
  });
});

suite("webstack reference target (STAMPEDE_PROTECTION=off)", () => {
  let topo: StartedTopology;
  let reportsDir = "";

  beforeAll(async () => {
    ({ topo, reportsDir } = await startWebstack({ STAMPEDE_PROTECTION: "off" }));
  });
  afterAll(async () => {
    await topo?.down();
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  it("sends many origin queries when a hot key is deleted under 200 concurrent reads", async () => {
    const { originQueries, statuses } = await stampede(topo);
    console.log(
      `stampede, protection off: ${originQueries} origin queries for 200 reads, statuses ${JSON.stringify(statuses)}`,
    );
    expect(originQueries).toBeGreaterThanOrEqual(20);
  });
});
