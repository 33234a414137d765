import { Redis } from "ioredis";

/**
 * A short-lived ioredis connection for probes and faults: no reconnect loop, no offline queue,
 * each command bounded by `timeoutMs` (default 2000). Close it with `quit()` or `disconnect()`.
 */
export async function connectRedis(host: string, port: number, options: { timeoutMs?: number } = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Errors surface through the failed command; without a listener ioredis would log them.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    throw new Error(`redis ${host}:${port} unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
  return client;
}
