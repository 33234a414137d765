import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type pg from "pg";
import { type Dependency, Unavailable } from "./dependency.ts";
import { errorText, log } from "./log.ts";
import { cacheEarlyRefreshes, cacheHits, cacheMisses, cacheStaleServed, keyLabel, originQueries } from "./metrics.ts";

/** A user row as the API returns it. */
export interface User {
  id: number;
  name: string;
  email: string;
}

/** What GET /users/:id answers: the user (or null: not found) and where it came from. */
export interface UserRead {
  user: User | null;
  source: "cache" | "origin" | "stale";
}

// Cached as JSON with its own fresh-until time, so an expired entry can still serve as a stale fallback.
interface Entry {
  /** The value; null caches a "not found". */
  v: User | null;
  /** Milliseconds the origin query took (XFetch's delta). */
  d: number;
  /** Fresh until, epoch milliseconds. */
  exp: number;
}

export interface UsersOptions {
  cacheTtlS: number;
  cacheStaleS: number;
  /** false: plain cache-aside, every miss queries the origin (STAMPEDE_PROTECTION=off). */
  stampedeProtection: boolean;
  dbTimeoutMs: number;
}

// Release the lock only if it is still ours (it may have expired and been taken by another).
const UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
// XFetch's beta: >1 favours earlier refreshes.
const EARLY_REFRESH_BETA = 1;
const LOCK_POLL_MS = 20;

/**
 * Cache-aside reads of users. With stampede protection, a miss is loaded once: requests in this
 * process share one promise (coalescing), instances share a Redis lock (`SET NX PX`) and the
 * others wait for the value to land; and a hot value is refreshed early, probabilistically
 * (XFetch), before it expires, so it rarely expires under load at all.
 */
export class Users {
  private readonly inflight = new Map<number, Promise<UserRead>>();
  private readonly refreshing = new Set<number>();

  constructor(
    private readonly redis: Redis,
    private readonly cache: Dependency,
    private readonly readPool: pg.Pool,
    private readonly dbRead: Dependency,
    private readonly opts: UsersOptions,
  ) {}

  /** The user with this id; throws {@link Unavailable} when the origin is needed and down. */
  async get(id: number): Promise<UserRead> {
    const key = `user:${id}`;
    const entry = await this.readEntry(key);
    const now = Date.now();
    if (entry && now < entry.exp) {
      cacheHits.inc({ cache: "users" });
      if (this.opts.stampedeProtection && this.shouldRefreshEarly(entry, now)) this.refreshEarly(id);
      return { user: entry.v, source: "cache" };
    }
    cacheMisses.inc({ cache: "users" });
    // An open origin breaker answers now: the stale value if there is one, else 503, without taking a lock.
    if (this.dbRead.state() === "open") {
      try {
        this.dbRead.rejectIfOpen();
      } catch (err) {
        if (!entry) throw err;
        cacheStaleServed.inc({ cache: "users" });
        return { user: entry.v, source: "stale" };
      }
    }
    if (!this.opts.stampedeProtection) return this.loadAndFill(id, entry);
    const shared = this.inflight.get(id);
    if (shared) return shared;
    const p = this.loadLocked(id, entry).finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  private async readEntry(key: string): Promise<Entry | null> {
    try {
      const raw = await this.cache.call(() => this.redis.get(key));
      return raw ? (JSON.parse(raw) as Entry) : null;
    } catch {
      // Cache down: behave as a miss and go to the origin (the breaker keeps this fast).
      return null;
    }
  }

  private shouldRefreshEarly(entry: Entry, now: number): boolean {
    return now - entry.d * EARLY_REFRESH_BETA * Math.log(Math.random()) >= entry.exp;
  }

  private refreshEarly(id: number): void {
    if (this.refreshing.has(id)) return;
    this.refreshing.add(id);
    cacheEarlyRefreshes.inc({ cache: "users" });
    this.loadLocked(id, null, true)
      .catch((err) => log("warn", "early refresh failed", { id, error: errorText(err) }))
      .finally(() => this.refreshing.delete(id));
  }

  // One loader across instances: the lock holder queries; the others poll the cache for its value.
  private async loadLocked(id: number, stale: Entry | null, background = false): Promise<UserRead> {
    const key = `user:${id}`;
    const lockKey = `lock:${key}`;
    const token = randomBytes(8).toString("hex");
    const lockMs = this.opts.dbTimeoutMs + 1000;
    let locked: boolean;
    try {
      locked = (await this.cache.call(() => this.redis.set(lockKey, token, "PX", lockMs, "NX"))) === "OK";
    } catch {
      // No cache, so no lock: in-process coalescing still holds this instance to one query.
      return this.loadAndFill(id, stale);
    }
    if (locked) {
      try {
        return await this.loadAndFill(id, stale);
      } finally {
        this.cache.call(() => this.redis.eval(UNLOCK, 1, lockKey, token)).catch(() => {});
      }
    }
    if (background) return { user: stale?.v ?? null, source: "stale" };
    const deadline = Date.now() + lockMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
      const e = await this.readEntry(key);
      if (e && Date.now() < e.exp) return { user: e.v, source: "cache" };
      // The holder gave up (lock gone, nothing written): stop waiting and load ourselves.
      if (!e) {
        const holder = await this.cache.call(() => this.redis.exists(lockKey)).catch(() => 0);
        if (holder === 0) break;
      }
    }
    return this.loadAndFill(id, stale);
  }

  private async loadAndFill(id: number, stale: Entry | null): Promise<UserRead> {
    const started = Date.now();
    let user: User | null;
    try {
      user = await this.dbRead.call(async () => {
        originQueries.inc({ query: "user_by_id", key: keyLabel("user", id) });
        const r = await this.readPool.query<User>("SELECT id, name, email FROM users WHERE id = $1", [id]);
        return r.rows[0] ?? null;
      });
    } catch (err) {
      if (err instanceof Unavailable && stale) {
        cacheStaleServed.inc({ cache: "users" });
        return { user: stale.v, source: "stale" };
      }
      throw err;
    }
    const entry: Entry = { v: user, d: Date.now() - started, exp: Date.now() + this.opts.cacheTtlS * 1000 };
    const pxMs = (this.opts.cacheTtlS + this.opts.cacheStaleS) * 1000;
    await this.cache.call(() => this.redis.set(`user:${id}`, JSON.stringify(entry), "PX", pxMs)).catch(() => {});
    return { user, source: "origin" };
  }
}
