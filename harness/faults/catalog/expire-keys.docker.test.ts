import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerSuiteEnabled, faultsCompose, startFixture } from "../../../test/fixtures/faults/topology.ts";
import { connectRedis } from "../../probes/redis-connection.ts";
import { manualClock, Timeline } from "../../timeline/index.ts";
import type { FaultContext } from "../fault.ts";
import { expireKeys } from "./expire-keys.ts";

const suite = (await dockerSuiteEnabled()) ? describe : describe.skip;

suite("expire-keys against a real redis-server container", () => {
  let fixture: Awaited<ReturnType<typeof startFixture>>;
  let redis: Redis;
  let ctx: FaultContext;
  let timeline: Timeline;

  beforeAll(async () => {
    fixture = await startFixture(faultsCompose);
    const cache = fixture.topology.endpoint("cache", 6379);
    redis = await connectRedis(cache.host, cache.port);
    timeline = new Timeline({ clock: manualClock() });
    ctx = { topology: fixture.topology, toxiproxyUrl: "http://127.0.0.1:1", timeline };
  });

  afterAll(async () => {
    redis?.disconnect();
    if (fixture) expect(await fixture.remove()).toBe(0);
  });

  it("deletes the N hottest keys matching a pattern, ranked by Redis's LFU frequency", async () => {
    await redis.flushall();
    for (let i = 0; i < 30; i++) await redis.set(`product:${i}`, "x");
    await redis.set("session:1", "x");
    // product:0..4 are read often, the others once or never.
    for (let round = 0; round < 200; round++) for (let i = 0; i < 5; i++) await redis.get(`product:${i}`);
    const f = expireKeys({ service: "cache", pattern: "product:*", count: 5 });
    expect(f.validate()).toEqual([]);
    await using injected = await f.inject(ctx);
    const left = await redis.keys("product:*");
    expect(left).toHaveLength(25);
    for (let i = 0; i < 5; i++) expect(left).not.toContain(`product:${i}`);
    expect(await redis.exists("session:1")).toBe(1);
    const inj = timeline.events.find((e) => e.kind === "fault.inject")!;
    expect(inj.data).toMatchObject({ kind: "expire-keys", target: "cache", expired: 5, ranking: "lfu-frequency" });
    expect((inj.data!.hotKeys as string[]).sort()).toEqual([
      "product:0",
      "product:1",
      "product:2",
      "product:3",
      "product:4",
    ]);
    await injected.revert("scheduled");
    expect(timeline.events.filter((e) => e.kind === "fault.revert")).toHaveLength(1);
  });

  it("ranks by idle time when the server runs an LRU policy", async () => {
    await redis.flushall();
    await redis.config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      for (let i = 0; i < 10; i++) await redis.set(`k:${i}`, "x");
      // OBJECT IDLETIME has a 1 s resolution: let the others idle, then touch k:7 and k:8.
      await new Promise((r) => setTimeout(r, 2100));
      await redis.get("k:7");
      await redis.get("k:8");
      await using _ = await expireKeys({ id: "lru", service: "cache", pattern: "k:*", count: 2 }).inject(ctx);
      expect((await redis.keys("k:*")).sort()).toEqual(["k:0", "k:1", "k:2", "k:3", "k:4", "k:5", "k:6", "k:9"]);
      const inj = timeline.events.filter((e) => e.kind === "fault.inject").at(-1)!;
      expect(inj.data).toMatchObject({ ranking: "lru-idle-time", expired: 2 });
    } finally {
      await redis.config("SET", "maxmemory-policy", "allkeys-lfu");
    }
  });

  it("sets PEXPIRE on named keys in mode expire", async () => {
    await redis.flushall();
    await redis.set("hot:a", "1");
    await redis.set("hot:b", "2");
    await using _ = await expireKeys({
      id: "ttl",
      service: "cache",
      keys: ["hot:a", "hot:b", "hot:missing"],
      mode: "expire",
      ttlMs: 300,
    }).inject(ctx);
    const ttl = await redis.pttl("hot:a");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 450));
    expect(await redis.exists("hot:a", "hot:b")).toBe(0);
    const inj = timeline.events.filter((e) => e.kind === "fault.inject").at(-1)!;
    expect(inj.data).toMatchObject({ expired: 2, ranking: "named", mode: "expire" });
  });

  it("lists every option problem at once", () => {
    const problems = expireKeys({ service: "", keys: [], pattern: "x*", count: 0, ttlMs: 5 } as never).validate();
    expect(problems.map((p) => p.option)).toEqual(["service", "keys", "keys", "count", "count", "ttlMs"]);
  });
});
