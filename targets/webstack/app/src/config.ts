/**
 * The app's settings, read once from the environment. Parsing never throws: every problem is
 * collected, so a bad value gives one clear log line and a failing /health instead of a crash loop.
 */

/** A protection that scenarios switch off to prove that their gate can fail. */
export type Switch = "on" | "off";

export interface Config {
  /** Instance name in logs and metrics (default: the hostname). */
  instance: string;
  /** HTTP port (default 3000). */
  port: number;
  /** Redis for the cache and the rate limiter, normally through Toxiproxy's `cache` proxy. */
  cacheUrl: string;
  /** Redis for the order stream, through Toxiproxy's `queue` proxy. */
  queueUrl: string;
  /** PostgreSQL primary via dbproxy's write port (Toxiproxy `db_write`). */
  dbWriteUrl: string;
  /** PostgreSQL replicas via dbproxy's read port (Toxiproxy `db_read`). */
  dbReadUrl: string;
  /** One URL per shard, in shard order (Toxiproxy `shard1`, `shard2`). */
  shardUrls: string[];
  /** Patroni nodes `host:port` tried in order when DB_FAILOVER=off pins the first primary. */
  dbNodes: string[];
  stampedeProtection: Switch;
  circuitBreaker: Switch;
  dbFailover: Switch;
  rateLimit: Switch;
  /** Token-bucket refill per client, requests per second (default 1000). */
  rateLimitRps: number;
  /** Token-bucket size per client, requests (default 2000). */
  rateLimitBurst: number;
  /** Fresh lifetime of a cached user, seconds (default 30). */
  cacheTtlS: number;
  /** How long past its fresh lifetime a cached user may still be served when the database is down, seconds (default 300). */
  cacheStaleS: number;
  /** Timeout of one database call, milliseconds (default 1000). */
  dbTimeoutMs: number;
  /** Timeout of one Redis call, milliseconds (default 250). */
  redisTimeoutMs: number;
  /** Consecutive failures that open a breaker (default 5). */
  breakerFailures: number;
  /** Time an open breaker waits before letting one trial call through, milliseconds (default 5000). */
  breakerHalfOpenMs: number;
  /** Connections per PostgreSQL pool (default 10). */
  poolSize: number;
  /** Users seeded at start (default 10000). */
  seedUsers: number;
  /** Accounts seeded on each shard (default 1000). */
  seedAccountsPerShard: number;
  /** Deliveries of an order event before it goes to the dead-letter stream (default 3). */
  queueMaxDeliveries: number;
  /**
   * How long a delivered, unacked event waits before it is delivered again, milliseconds (default
   * 10000): three deliveries then span more than a failover, so an outage alone dead-letters nothing.
   */
  queueRetryIdleMs: number;
  /** Time SIGTERM waits for in-flight requests, milliseconds (default 8000). */
  shutdownGraceMs: number;
}

export interface ConfigResult {
  config: Config;
  /** One line per bad setting, naming the variable, its value and what was expected. */
  problems: string[];
}

const SWITCH_NAMES = ["STAMPEDE_PROTECTION", "CIRCUIT_BREAKER", "DB_FAILOVER", "RATE_LIMIT"] as const;

/** Reads the configuration from `env` (normally `process.env`). */
export function readConfig(env: Record<string, string | undefined>, hostname: string): ConfigResult {
  const problems: string[] = [];

  const switchOf = (name: (typeof SWITCH_NAMES)[number]): Switch => {
    const raw = env[name];
    if (raw === undefined || raw === "") return "on";
    const v = raw.trim().toLowerCase();
    if (v === "on" || v === "true" || v === "1") return "on";
    if (v === "off" || v === "false" || v === "0") return "off";
    problems.push(`${name}=${JSON.stringify(raw)} is not a switch value (expected on or off)`);
    return "on";
  };
  const intOf = (name: string, dflt: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      problems.push(`${name}=${JSON.stringify(raw)} is not an integer >= ${min}`);
      return dflt;
    }
    return n;
  };
  const str = (name: string, dflt: string): string => env[name] || dflt;

  const config: Config = {
    instance: str("INSTANCE", hostname),
    port: intOf("PORT", 3000, 1),
    cacheUrl: str("CACHE_URL", "redis://toxiproxy:16379"),
    queueUrl: str("QUEUE_URL", "redis://toxiproxy:16380"),
    dbWriteUrl: str("DB_WRITE_URL", "postgres://app:app@toxiproxy:15432/webstack"),
    dbReadUrl: str("DB_READ_URL", "postgres://app:app@toxiproxy:15433/webstack"),
    shardUrls: str(
      "SHARD_URLS",
      "postgres://app:app@toxiproxy:15434/webstack,postgres://app:app@toxiproxy:15435/webstack",
    )
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    dbNodes: str("DB_NODES", "db1:5432,db2:5432,db3:5432")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    stampedeProtection: switchOf("STAMPEDE_PROTECTION"),
    circuitBreaker: switchOf("CIRCUIT_BREAKER"),
    dbFailover: switchOf("DB_FAILOVER"),
    rateLimit: switchOf("RATE_LIMIT"),
    rateLimitRps: intOf("RATE_LIMIT_RPS", 1000, 1),
    rateLimitBurst: intOf("RATE_LIMIT_BURST", 2000, 1),
    cacheTtlS: intOf("CACHE_TTL_S", 30, 1),
    cacheStaleS: intOf("CACHE_STALE_S", 300, 0),
    dbTimeoutMs: intOf("DB_TIMEOUT_MS", 1000, 1),
    redisTimeoutMs: intOf("REDIS_TIMEOUT_MS", 250, 1),
    breakerFailures: intOf("BREAKER_FAILURES", 5, 1),
    breakerHalfOpenMs: intOf("BREAKER_HALF_OPEN_MS", 5000, 1),
    poolSize: intOf("POOL_SIZE", 10, 1),
    seedUsers: intOf("SEED_USERS", 10_000, 0),
    seedAccountsPerShard: intOf("SEED_ACCOUNTS_PER_SHARD", 1000, 0),
    queueMaxDeliveries: intOf("QUEUE_MAX_DELIVERIES", 3, 1),
    queueRetryIdleMs: intOf("QUEUE_RETRY_IDLE_MS", 10_000, 100),
    shutdownGraceMs: intOf("SHUTDOWN_GRACE_MS", 8000, 0),
  };
  if (config.shardUrls.length < 1) problems.push("SHARD_URLS is empty (expected a comma-separated list of URLs)");
  if (config.dbNodes.length < 1) problems.push("DB_NODES is empty (expected host:port,host:port,...)");
  return { config, problems };
}
