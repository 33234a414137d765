import pg from "pg";
import { Gauge } from "prom-client";
import type { Config } from "./config.ts";
import { errorText, log } from "./log.ts";
import { registry } from "./metrics.ts";

/** A named PostgreSQL pool: `write` (primary), `read` (replicas), `shard1`, `shard2`. */
export interface NamedPool {
  name: string;
  pool: pg.Pool;
  /** Where it connects, for logs (no password). */
  target: string;
}

function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** A pool whose broken connections are dropped (never crash the process) and reconnected on demand. */
export function makePool(name: string, url: string, cfg: Config): NamedPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: cfg.poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: cfg.dbTimeoutMs,
    // Server side too: a query stuck behind a slow link does not hold the server forever.
    statement_timeout: Math.max(cfg.dbTimeoutMs * 5, 5000),
    keepAlive: true,
    application_name: `webstack-${cfg.instance}-${name}`,
  });
  // An idle client whose server died emits "error" on the pool; without a listener Node would crash.
  pool.on("error", (err) => log("warn", `pool ${name}: idle connection lost`, { error: errorText(err) }));
  return { name, pool, target: describe(url) };
}

/**
 * With DB_FAILOVER=off the app skips dbproxy: it asks each Patroni node in turn whether it is
 * the primary and pins a direct connection to the first that is, so a failover is not followed.
 */
export async function findPrimaryUrl(cfg: Config): Promise<string> {
  const base = new URL(cfg.dbWriteUrl);
  const problems: string[] = [];
  for (const node of cfg.dbNodes) {
    const [host, port] = node.split(":");
    const u = new URL(base.toString());
    u.hostname = host ?? node;
    u.port = port ?? "5432";
    const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: cfg.dbTimeoutMs });
    try {
      await client.connect();
      const r = await client.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby");
      if (r.rows[0]?.standby === false) return u.toString();
      problems.push(`${node}: a replica`);
    } catch (err) {
      problems.push(`${node}: ${errorText(err)}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(`no primary among DB_NODES (${problems.join("; ")})`);
}

/** Exports pool usage (total, idle, waiting clients) for every pool as `db_pool_connections`. */
export function registerPoolMetrics(pools: () => NamedPool[]): void {
  new Gauge({
    name: "db_pool_connections",
    help: "PostgreSQL pool clients by pool and state (total, idle, waiting)",
    labelNames: ["pool", "state"] as const,
    registers: [registry],
    collect() {
      for (const p of pools()) {
        this.set({ pool: p.name, state: "total" }, p.pool.totalCount);
        this.set({ pool: p.name, state: "idle" }, p.pool.idleCount);
        this.set({ pool: p.name, state: "waiting" }, p.pool.waitingCount);
      }
    },
  });
}
