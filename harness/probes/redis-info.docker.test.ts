import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerSuiteEnabled, faultsCompose, startFixture } from "../../test/fixtures/faults/topology.ts";
import { manualClock, Timeline } from "../timeline/index.ts";
import { connectRedis } from "./redis-connection.ts";
import { keyCount, parseRedisInfo, redisInfo } from "./redis-info.ts";
import { ProbeRunner } from "./runner.ts";

const suite = (await dockerSuiteEnabled()) ? describe : describe.skip;

suite("redis-info probe against a real redis-server container", () => {
  let fixture: Awaited<ReturnType<typeof startFixture>>;
  let cache: { host: string; port: number };
  beforeAll(async () => {
    fixture = await startFixture(faultsCompose);
    cache = fixture.topology.endpoint("cache", 6379);
  });
  afterAll(async () => {
    if (fixture) expect(await fixture.remove()).toBe(0);
  });

  it("records hits, misses, clients, memory and keys, and the hit ratio between readings", async () => {
    const redis = await connectRedis(cache.host, cache.port);
    try {
      await redis.flushall();
      await redis.config("RESETSTAT");
      const clock = manualClock();
      const timeline = new Timeline({ clock });
      const sampler = redisInfo({ service: "cache" }).open({ timeline, topology: fixture.topology });
      await redis.set("a", "1");
      await redis.set("b", "2");
      await sampler.sample(AbortSignal.timeout(5000));
      clock.advance(1000);
      // 3 hits, 1 miss in this interval.
      await redis.get("a");
      await redis.get("a");
      await redis.get("b");
      await redis.get("nope");
      await sampler.sample(AbortSignal.timeout(5000));
      await sampler.close?.();

      const tags = { service: "cache" };
      const g = (m: string) => timeline.aggregate({ metric: m, tags })!;
      expect(g("redis_keyspace_hits").last).toBe(3);
      expect(g("redis_keyspace_misses").last).toBe(1);
      expect(g("redis_keyspace_hits_per_s").last).toBe(3);
      expect(g("redis_hit_ratio").last).toBe(0.75);
      expect(g("redis_keys").last).toBe(2);
      // The probe's own connection and the test's.
      expect(g("redis_connected_clients").last).toBeGreaterThanOrEqual(2);
      expect(g("redis_used_memory_bytes").last).toBeGreaterThan(100_000);
    } finally {
      redis.disconnect();
    }
  });

  it("counts every reading of an unreachable server as a probe error while another probe keeps reading", async () => {
    const timeline = new Timeline();
    const dead = redisInfo({ name: "redis_dead", address: { host: "127.0.0.1", port: 1 }, intervalMs: 100 });
    const live = redisInfo({ name: "redis_cache", address: { host: cache.host, port: cache.port }, intervalMs: 100 });
    const runner = new ProbeRunner([dead, live], { timeline }).start();
    await new Promise((r) => setTimeout(r, 550));
    await runner.stop();
    const errors = (probe: string) => timeline.aggregate({ metric: "probe_errors", tags: { probe } })!.total;
    const n = runner.samples();
    console.log(
      `redis probes: ${n.redis_dead} readings of a dead port, ${errors("redis_dead")} errors; ${n.redis_cache} live readings, ${errors("redis_cache")} errors`,
    );
    expect(errors("redis_dead")).toBe(n.redis_dead);
    expect(errors("redis_cache")).toBe(0);
    expect(
      timeline.aggregate({ metric: "redis_keys", tags: { service: `${cache.host}:${cache.port}` } })!.samples,
    ).toBeGreaterThan(0);
  });

  it("parses INFO sections and the keyspace lines", () => {
    const info = parseRedisInfo(
      "# Stats\r\nkeyspace_hits:10\r\n\r\n# Keyspace\r\ndb0:keys=12,expires=1,avg_ttl=0\r\ndb3:keys=3,expires=0,avg_ttl=0\r\n",
    );
    expect(info.get("keyspace_hits")).toBe("10");
    expect(keyCount(info)).toBe(15);
  });
});
