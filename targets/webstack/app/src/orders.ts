import type pg from "pg";
import type { Dependency } from "./dependency.ts";
import { ordersWritten } from "./metrics.ts";

/** An order as stored on the primary. */
export interface Order {
  id: string;
  idempotencyKey: string;
  userId: number;
  amountCents: number;
  createdAt: string;
  processedAt: string | null;
}

interface OrderRow {
  id: string;
  idempotency_key: string;
  user_id: number;
  amount_cents: number;
  created_at: Date;
  processed_at: Date | null;
}

function toOrder(r: OrderRow): Order {
  return {
    id: String(r.id),
    idempotencyKey: r.idempotency_key,
    userId: r.user_id,
    amountCents: r.amount_cents,
    createdAt: r.created_at.toISOString(),
    processedAt: r.processed_at ? r.processed_at.toISOString() : null,
  };
}

const COLUMNS = "id, idempotency_key, user_id, amount_cents, created_at, processed_at";

/** Orders on the primary (through dbproxy's write port, or the pinned node when DB_FAILOVER=off). */
export class Orders {
  constructor(
    private readonly pool: () => pg.Pool,
    private readonly dbWrite: Dependency,
  ) {}

  /**
   * Inserts the order and resolves after the commit. The idempotency key makes a retry return
   * the first order (`replayed: true`) instead of writing a second one.
   */
  async create(key: string, userId: number, amountCents: number): Promise<{ order: Order; replayed: boolean }> {
    return this.dbWrite.call(async () => {
      const ins = await this.pool().query<OrderRow>(
        `INSERT INTO orders (idempotency_key, user_id, amount_cents) VALUES ($1, $2, $3)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${COLUMNS}`,
        [key, userId, amountCents],
      );
      if (ins.rows[0]) {
        ordersWritten.inc({ outcome: "created" });
        return { order: toOrder(ins.rows[0]), replayed: false };
      }
      const prev = await this.pool().query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE idempotency_key = $1`, [key]);
      if (!prev.rows[0]) throw new Error(`order with idempotency key ${key} vanished`);
      ordersWritten.inc({ outcome: "replayed" });
      return { order: toOrder(prev.rows[0]), replayed: true };
    });
  }

  /** Reads an order from the primary (never a replica: the lost-writes check must see every commit). */
  async get(id: string): Promise<Order | null> {
    return this.dbWrite.call(async () => {
      const r = await this.pool().query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [id]);
      return r.rows[0] ? toOrder(r.rows[0]) : null;
    });
  }

  /** Marks an order processed (the queue consumer's work). */
  async markProcessed(id: string): Promise<void> {
    await this.dbWrite.call(() =>
      this.pool().query("UPDATE orders SET processed_at = now() WHERE id = $1 AND processed_at IS NULL", [id]),
    );
  }
}
