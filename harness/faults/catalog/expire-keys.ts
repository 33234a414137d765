import type { Redis } from "ioredis";
import { connectRedis } from "../../probes/redis-connection.ts";
import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";

export interface ExpireKeysOptions {
  /** The compose service of the cache. */
  service: string;
  /** Container port of Redis, default 6379 (published on 127.0.0.1). */
  port?: number;
  /** The keys to expire, named by the scenario. Give `keys` or `pattern`. */
  keys?: string[];
  /** A SCAN MATCH pattern (e.g. `product:*`); the `count` hottest matches are expired. */
  pattern?: string;
  /** How many of the hottest matching keys, default 10. With `pattern` only. */
  count?: number;
  /** `del` (default) deletes the keys; `expire` sets PEXPIRE `ttlMs` on them. */
  mode?: "del" | "expire";
  /** With mode `expire`: time to live left to each key, ms. Default 0 (gone at once). */
  ttlMs?: number;
  /** At most this many keys are scanned for `pattern`. Default 100000. */
  scanLimit?: number;
  /** Fault id; default `expire-keys-<service>`. */
  id?: string;
}

/** How hot keys were told apart. */
export type HotnessRanking = "named" | "lfu-frequency" | "lru-idle-time";

/**
 * Redis hot-key expiry: DEL (or PEXPIRE) the N hottest keys at one instant, as a cache stampede
 * needs. Hotness is Redis's own: OBJECT FREQ under an LFU policy, else the lowest OBJECT IDLETIME.
 * The revert has nothing to heal (the cache refills from the origin); it records the revert.
 */
export class ExpireKeysFault extends BaseFault {
  readonly kind = "expire-keys";
  readonly target: string;

  constructor(readonly options: ExpireKeysOptions) {
    super(options.id);
    this.target = options.service;
  }

  get mode(): "del" | "expire" {
    return this.options.mode ?? "del";
  }
  get count(): number {
    return this.options.count ?? 10;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const o = this.options;
    const s = checks.name(o.service);
    if (s) problem("service", s);
    if ((o.keys === undefined) === (o.pattern === undefined)) problem("keys", "give either keys or pattern");
    if (o.keys !== undefined && (!Array.isArray(o.keys) || o.keys.length === 0 || o.keys.some((k) => checks.name(k)))) {
      problem("keys", "must list at least one key name");
    }
    if (o.pattern !== undefined && checks.name(o.pattern)) problem("pattern", "must be a non-empty pattern");
    if (o.count !== undefined && o.keys !== undefined) problem("count", "goes with pattern, not keys");
    const c = checks.integer(this.count, 1);
    if (c) problem("count", c);
    if (this.mode !== "del" && this.mode !== "expire") problem("mode", "must be del or expire");
    if (o.ttlMs !== undefined) {
      if (this.mode !== "expire") problem("ttlMs", "goes with mode expire");
      const t = checks.integer(o.ttlMs, 0);
      if (t) problem("ttlMs", t);
    }
    const port = checks.integer(o.port ?? 6379, 1);
    if (port) problem("port", port);
    const limit = checks.integer(o.scanLimit ?? 100_000, 1);
    if (limit) problem("scanLimit", limit);
  }

  describe(): string {
    const what = this.options.keys
      ? `keys ${this.options.keys.join(", ")}`
      : `the ${this.count} hottest keys matching ${this.options.pattern}`;
    const how = this.mode === "del" ? "DEL" : `PEXPIRE ${this.options.ttlMs ?? 0} ms`;
    return `${how} ${what} on ${this.target}`;
  }

  params(): Record<string, unknown> {
    const o = this.options;
    return o.keys
      ? { service: this.target, keys: [...o.keys], mode: this.mode }
      : { service: this.target, pattern: o.pattern, count: this.count, mode: this.mode, ttlMs: o.ttlMs };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const ep = ctx.topology.endpoint(this.target, this.options.port ?? 6379);
    const redis = await connectRedis(ep.host, ep.port);
    try {
      const { keys, ranking } = this.options.keys
        ? { keys: this.options.keys, ranking: "named" as HotnessRanking }
        : await hottestKeys(redis, this.options.pattern!, this.count, this.options.scanLimit ?? 100_000);
      let affected = 0;
      if (keys.length > 0) {
        if (this.mode === "del") {
          affected = await redis.del(...keys);
        } else {
          const ttl = this.options.ttlMs ?? 0;
          const pipe = redis.multi();
          for (const k of keys) pipe.pexpire(k, ttl);
          const results = (await pipe.exec()) ?? [];
          affected = results.filter(([err, n]) => !err && n === 1).length;
        }
      }
      return {
        data: { expired: affected, ranking, hotKeys: keys.slice(0, 20) },
        heal: async () => {},
      };
    } finally {
      redis.disconnect();
    }
  }
}

/**
 * The `count` hottest keys matching `pattern`: SCAN (at most `scanLimit` keys), then rank by
 * OBJECT FREQ when the server runs an LFU policy, else by OBJECT IDLETIME (lowest first).
 */
export async function hottestKeys(
  redis: Redis,
  pattern: string,
  count: number,
  scanLimit: number,
): Promise<{ keys: string[]; ranking: HotnessRanking }> {
  const found = new Set<string>();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    for (const k of batch) if (found.size < scanLimit) found.add(k);
    cursor = next;
  } while (cursor !== "0" && found.size < scanLimit);
  const keys = [...found];
  if (keys.length === 0) return { keys, ranking: "lfu-frequency" };

  const score = async (sub: "FREQ" | "IDLETIME"): Promise<Array<number | undefined>> => {
    const pipe = redis.pipeline();
    for (const k of keys) pipe.call("OBJECT", sub, k);
    const results = (await pipe.exec()) ?? [];
    return results.map(([err, v]) => (err ? undefined : Number(v)));
  };
  let ranking: HotnessRanking = "lfu-frequency";
  let scores = await score("FREQ");
  // OBJECT FREQ fails unless an LFU maxmemory-policy is set: fall back to recency.
  if (scores.every((s) => s === undefined)) {
    ranking = "lru-idle-time";
    scores = (await score("IDLETIME")).map((s) => (s === undefined ? undefined : -s));
  }
  const ranked = keys
    .map((k, i) => ({ k, s: scores[i] }))
    .filter((e): e is { k: string; s: number } => e.s !== undefined)
    .sort((a, b) => b.s - a.s || (a.k < b.k ? -1 : 1));
  return { keys: ranked.slice(0, count).map((e) => e.k), ranking };
}

/** DEL (or PEXPIRE) the hottest keys of a cache. */
export function expireKeys(o: ExpireKeysOptions): ExpireKeysFault {
  return new ExpireKeysFault(o);
}
