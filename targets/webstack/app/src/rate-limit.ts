import type { Redis } from "ioredis";
import type { Dependency } from "./dependency.ts";
import { rateLimited } from "./metrics.ts";

// Token bucket per client, atomic in Redis, on Redis's own clock so every instance agrees.
// KEYS[1] bucket; ARGV[1] refill per second; ARGV[2] burst. Returns {allowed (0|1), retry-after ms}.
const TOKEN_BUCKET = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
local retry_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry_ms}
`;

/** The edge rate limiter's answer for one request. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds to wait before the next token (Retry-After), when refused. */
  retryAfterS: number;
}

/**
 * A token bucket per client in the cache Redis: `rps` tokens per second, at most `burst`.
 * When Redis is unavailable it lets the request through (fail open): the limiter protects the
 * app, it must not take the app down with the cache.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly cache: Dependency,
    private readonly rps: number,
    private readonly burst: number,
  ) {}

  async take(client: string): Promise<RateDecision> {
    let res: [number, number];
    try {
      res = (await this.cache.call(() =>
        this.redis.eval(TOKEN_BUCKET, 1, `ratelimit:${client}`, this.rps, this.burst),
      )) as [number, number];
    } catch {
      return { allowed: true, retryAfterS: 0 };
    }
    if (res[0] === 1) return { allowed: true, retryAfterS: 0 };
    rateLimited.inc();
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(res[1] / 1000)) };
  }
}
