import type { Redis } from "ioredis";
import { Gauge } from "prom-client";
import type { Dependency } from "./dependency.ts";
import { errorText, log } from "./log.ts";
import { queueEvents, registry } from "./metrics.ts";

/** The order event stream, its consumer group and its dead-letter stream. */
export const STREAM = "orders";
export const GROUP = "order-processors";
export const DEAD_LETTERS = "orders:dead";

const BLOCK_MS = 2000;

/** Publishes order events to the stream (through the `queue` dependency). */
export class OrderEvents {
  constructor(
    private readonly redis: Redis,
    private readonly queue: Dependency,
  ) {}

  /** Appends one event; a failure is counted and logged by the caller, the order is already committed. */
  async publish(orderId: string, userId: number, amountCents: number): Promise<void> {
    try {
      await this.queue.call(() =>
        this.redis.xadd(
          STREAM,
          "MAXLEN",
          "~",
          "100000",
          "*",
          "orderId",
          orderId,
          "userId",
          String(userId),
          "amountCents",
          String(amountCents),
        ),
      );
      queueEvents.inc({ outcome: "published" });
    } catch (err) {
      queueEvents.inc({ outcome: "publish_failed" });
      throw err;
    }
  }
}

/** Creates the consumer group if it is missing (every instance calls this at start). */
export async function ensureGroup(redis: Redis): Promise<void> {
  try {
    await redis.xgroup("CREATE", STREAM, GROUP, "0", "MKSTREAM");
  } catch (err) {
    if (!errorText(err).includes("BUSYGROUP")) throw err;
  }
}

/** Exports the stream's backlog (undelivered + unacked) and dead letters, read at scrape time. */
export function registerQueueMetrics(redis: Redis, timeoutMs: number): void {
  const withTimeout = <T>(p: Promise<T>): Promise<T | undefined> =>
    Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref())]).catch(
      () => undefined,
    );
  new Gauge({
    name: "queue_depth",
    help: "Order events not yet processed: undelivered (lag) plus delivered but unacked (pending)",
    labelNames: ["stream", "state"] as const,
    registers: [registry],
    async collect() {
      const groups = (await withTimeout(redis.xinfo("GROUPS", STREAM))) as unknown[][] | undefined;
      for (const g of groups ?? []) {
        const f: Record<string, unknown> = {};
        for (let i = 0; i + 1 < g.length; i += 2) f[String(g[i])] = g[i + 1];
        if (f.name !== GROUP) continue;
        this.set({ stream: STREAM, state: "pending" }, Number(f.pending ?? 0));
        this.set({ stream: STREAM, state: "lag" }, Number(f.lag ?? 0));
      }
    },
  });
  new Gauge({
    name: "queue_dead_letters",
    help: "Order events in the dead-letter stream",
    registers: [registry],
    async collect() {
      const n = await withTimeout(redis.xlen(DEAD_LETTERS));
      if (n !== undefined) this.set(n);
    },
  });
}

type StreamEntry = [id: string, fields: string[]];

/**
 * The order consumer: reads new events with XREADGROUP on its own (blocking) connection,
 * acks after processing, re-claims entries left unacked for `retryIdleMs` (a retry), and moves an entry
 * delivered `maxDeliveries` times to the dead-letter stream.
 */
export class OrderConsumer {
  private running = false;
  private loop?: Promise<void>;
  private lastError = "";

  constructor(
    private readonly redis: Redis,
    private readonly consumer: string,
    private readonly maxDeliveries: number,
    private readonly retryIdleMs: number,
    private readonly process: (fields: Record<string, string>) => Promise<void>,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current batch (at most one BLOCK period). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastClaimMs = 0;
    while (this.running) {
      try {
        if (Date.now() - lastClaimMs > Math.min(this.retryIdleMs, 5000)) {
          lastClaimMs = Date.now();
          await this.retryStale();
        }
        const res = (await this.redis.xreadgroup(
          "GROUP",
          GROUP,
          this.consumer,
          "COUNT",
          "20",
          "BLOCK",
          String(BLOCK_MS),
          "STREAMS",
          STREAM,
          ">",
        )) as [string, StreamEntry[]][] | null;
        for (const [, entries] of res ?? []) for (const e of entries) await this.handle(e);
        if (this.lastError) {
          log("info", "queue consumer recovered", { consumer: this.consumer });
          this.lastError = "";
        }
      } catch (err) {
        const msg = errorText(err);
        if (msg !== this.lastError) log("warn", "queue consumer error, retrying", { error: msg });
        this.lastError = msg;
        if (this.running) await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async handle([id, flat]: StreamEntry): Promise<void> {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    try {
      await this.process(fields);
      await this.redis.xack(STREAM, GROUP, id);
      queueEvents.inc({ outcome: "processed" });
    } catch (err) {
      // Not acked: XAUTOCLAIM hands it out again after retryIdleMs.
      log("warn", "order event failed, will retry", { id, error: errorText(err) });
    }
  }

  private async retryStale(): Promise<void> {
    const [, claimed] = (await this.redis.xautoclaim(
      STREAM,
      GROUP,
      this.consumer,
      this.retryIdleMs,
      "0",
      "COUNT",
      20,
    )) as [string, StreamEntry[]];
    for (const entry of claimed ?? []) {
      const [id, flat] = entry;
      if (!flat) continue;
      // XPENDING's 4th field: how many times this entry was delivered.
      const info = (await this.redis.xpending(STREAM, GROUP, id, id, 1)) as [string, string, number, number][];
      const deliveries = Number(info[0]?.[3] ?? 1);
      if (deliveries > this.maxDeliveries) {
        await this.redis.xadd(DEAD_LETTERS, "*", "id", id, "deliveries", String(deliveries), ...flat);
        await this.redis.xack(STREAM, GROUP, id);
        queueEvents.inc({ outcome: "dead_lettered" });
        log("warn", "order event dead-lettered", { id, deliveries });
        continue;
      }
      queueEvents.inc({ outcome: "retried" });
      await this.handle(entry);
    }
  }
}
