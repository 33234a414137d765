import type pg from "pg";
import { seedIdsOf } from "./shard.ts";

// One lock id for every instance: three apps start at once and seed the same tables.
const SEED_LOCK = 4_242_001;

/** Creates the primary's tables and its users (idempotent: re-running adds nothing). */
export async function seedPrimary(pool: pg.Pool, users: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SEED_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS users (
        id integer PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS orders (
        id bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        user_id integer NOT NULL,
        amount_cents integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      );`);
    await client.query(
      `INSERT INTO users (id, name, email)
       SELECT g, 'user ' || g, 'user' || g || '@example.test' FROM generate_series(1, $1::int) g
       ON CONFLICT (id) DO NOTHING`,
      [users],
    );
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => {});
    client.release();
  }
}

/** Creates a shard's tables and its accounts: the first `perShard` ids the router sends to it. */
export async function seedShard(pool: pg.Pool, shard: number, shardCount: number, perShard: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [SEED_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS accounts (
        id integer PRIMARY KEY,
        balance_cents bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS credits (
        idempotency_key text PRIMARY KEY,
        account_id integer NOT NULL,
        amount_cents integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`);
    const ids = seedIdsOf(shard, shardCount, perShard);
    await client.query(
      "INSERT INTO accounts (id, balance_cents) SELECT unnest($1::int[]), 10000 ON CONFLICT (id) DO NOTHING",
      [ids],
    );
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK]).catch(() => {});
    client.release();
  }
}
