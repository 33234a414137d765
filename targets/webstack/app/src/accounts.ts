import type pg from "pg";
import type { Dependency } from "./dependency.ts";
import { shardOf } from "./shard.ts";

/** An account on its shard. */
export interface Account {
  id: number;
  balanceCents: number;
  shard: number;
}

/** A shard's pool and its dependency (breaker and timeout). */
export interface Shard {
  pool: pg.Pool;
  dependency: Dependency;
}

/** Accounts split across the shards by {@link shardOf}. */
export class Accounts {
  constructor(private readonly shards: Shard[]) {}

  private shardFor(id: number): { shard: Shard; index: number } {
    const index = shardOf(id, this.shards.length);
    return { shard: this.shards[index]!, index };
  }

  /** The account, or null when its shard has no such id. */
  async get(id: number): Promise<Account | null> {
    const { shard, index } = this.shardFor(id);
    return shard.dependency.call(async () => {
      const r = await shard.pool.query<{ balance_cents: string }>("SELECT balance_cents FROM accounts WHERE id = $1", [
        id,
      ]);
      return r.rows[0] ? { id, balanceCents: Number(r.rows[0].balance_cents), shard: index + 1 } : null;
    });
  }

  /** Adds `amountCents` once per idempotency key, in one transaction on the account's shard. */
  async credit(id: number, amountCents: number, key: string): Promise<{ account: Account | null; replayed: boolean }> {
    const { shard, index } = this.shardFor(id);
    return shard.dependency.call(async () => {
      const client = await shard.pool.connect();
      try {
        await client.query("BEGIN");
        const exists = await client.query("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", [id]);
        if (exists.rowCount === 0) {
          await client.query("ROLLBACK");
          return { account: null, replayed: false };
        }
        const ins = await client.query(
          "INSERT INTO credits (idempotency_key, account_id, amount_cents) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
          [key, id, amountCents],
        );
        const replayed = ins.rowCount === 0;
        const r = replayed
          ? await client.query<{ balance_cents: string }>("SELECT balance_cents FROM accounts WHERE id = $1", [id])
          : await client.query<{ balance_cents: string }>(
              "UPDATE accounts SET balance_cents = balance_cents + $2, updated_at = now() WHERE id = $1 RETURNING balance_cents",
              [id, amountCents],
            );
        await client.query("COMMIT");
        return { account: { id, balanceCents: Number(r.rows[0]!.balance_cents), shard: index + 1 }, replayed };
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    });
  }
}
