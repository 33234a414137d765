import type { Redis } from "ioredis";
import { counterRate, needTopology, type Probe, type ProbeContext, type Sampler } from "./probe.ts";
import { connectRedis } from "./redis-connection.ts";

export interface RedisInfoOptions {
  /** The probe's word (the `probe` tag of probe_errors); give each Redis probe its own. Default `redis`. Gauges stay `redis_*`, told apart by `service`. */
  name?: string;
  /** The compose service of the cache (its port published on 127.0.0.1). */
  service?: string;
  /** Container port, default 6379. */
  port?: number;
  /** Or a host and port directly (tests). The `service` tag is then `host:port`. */
  address?: { host: string; port: number };
  /** Per-command timeout, ms. Default 1000. */
  timeoutMs?: number;
  /** Sampling interval, ms. Default: the runner's. */
  intervalMs?: number;
}

/** INFO fields recorded as gauges `redis_<gauge>{service}`. */
const FIELDS: Array<[field: string, gauge: string, counter: boolean]> = [
  ["keyspace_hits", "keyspace_hits", true],
  ["keyspace_misses", "keyspace_misses", true],
  ["connected_clients", "connected_clients", false],
  ["used_memory", "used_memory_bytes", false],
  ["expired_keys", "expired_keys", true],
  ["evicted_keys", "evicted_keys", true],
  ["total_commands_processed", "commands_processed", true],
];

/** Parse the `field:value` lines of INFO (sections and comments skipped). */
export function parseRedisInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    if (raw === "" || raw.startsWith("#")) continue;
    const i = raw.indexOf(":");
    if (i > 0) out.set(raw.slice(0, i), raw.slice(i + 1));
  }
  return out;
}

/** Keys in all databases, from the `db0:keys=12,expires=0,avg_ttl=0` lines. */
export function keyCount(info: Map<string, string>): number {
  let keys = 0;
  for (const [field, value] of info) {
    if (!/^db\d+$/.test(field)) continue;
    const m = /(?:^|,)keys=(\d+)/.exec(value);
    if (m) keys += Number(m[1]);
  }
  return keys;
}

/**
 * Redis INFO: gauges `redis_keyspace_hits`, `redis_keyspace_misses`, `redis_connected_clients`,
 * `redis_used_memory_bytes`, `redis_expired_keys`, `redis_evicted_keys`, `redis_commands_processed`,
 * `redis_keys`, each tagged `{service}`; counters also as `<gauge>_per_s` between readings, and
 * `redis_hit_ratio` (hits / lookups in the interval, when there were lookups).
 */
export class RedisInfoProbe implements Probe {
  readonly name: string;
  readonly intervalMs: number | undefined;
  constructor(readonly options: RedisInfoOptions) {
    this.name = options.name ?? "redis";
    this.intervalMs = options.intervalMs;
  }

  validate(): string[] {
    const o = this.options;
    if ((o.service === undefined) === (o.address === undefined)) return ["give either service or address"];
    return [];
  }

  describe(): string {
    const o = this.options;
    return `Redis INFO of ${o.service ?? `${o.address?.host}:${o.address?.port}`}: hits, misses, clients, memory`;
  }

  open(ctx: ProbeContext): Sampler {
    const o = this.options;
    const topology = o.address ? undefined : needTopology(ctx, this.name);
    // Resolved at each connect: a restarted cache may get a new ephemeral host port.
    const endpoint = () => o.address ?? topology!.endpoint(o.service!, o.port ?? 6379);
    const service = o.service ?? `${o.address?.host}:${o.address?.port}`;
    const timeline = ctx.timeline;
    const tags = { service };
    const previous = new Map<string, { value: number; atMs: number }>();
    let client: Redis | undefined;
    const drop = (): void => {
      client?.disconnect();
      client = undefined;
    };
    return {
      sample: async () => {
        let text: string;
        try {
          if (!client) {
            const ep = endpoint();
            client = await connectRedis(ep.host, ep.port, { timeoutMs: o.timeoutMs ?? 1000 });
          }
          text = await client.info();
        } catch (cause) {
          // Reconnect on the next reading.
          drop();
          throw cause;
        }
        const atMs = timeline.clock.nowMs();
        const info = parseRedisInfo(text);
        const deltas: Record<string, number> = {};
        for (const [field, gauge, counter] of FIELDS) {
          const raw = info.get(field);
          if (raw === undefined) continue;
          const value = Number(raw);
          if (!Number.isFinite(value)) continue;
          timeline.series(`redis_${gauge}`, "gauge", tags, gauge.endsWith("_bytes") ? "bytes" : "").gauge(value, atMs);
          if (!counter) continue;
          const prev = previous.get(field);
          const r = counterRate(prev, value, atMs);
          if (r !== undefined) {
            timeline.series(`redis_${gauge}_per_s`, "gauge", tags).gauge(r, atMs);
            deltas[field] = prev && value >= prev.value ? value - prev.value : value;
          }
          previous.set(field, { value, atMs });
        }
        timeline.series("redis_keys", "gauge", tags).gauge(keyCount(info), atMs);
        const hits = deltas.keyspace_hits;
        const misses = deltas.keyspace_misses;
        if (hits !== undefined && misses !== undefined && hits + misses > 0) {
          timeline.series("redis_hit_ratio", "gauge", tags).gauge(hits / (hits + misses), atMs);
        }
      },
      close: async () => drop(),
    };
  }
}

/** Read a Redis's INFO: hits, misses, clients, memory, keys. */
export function redisInfo(o: RedisInfoOptions): RedisInfoProbe {
  return new RedisInfoProbe(o);
}
