import { createServer, type Server } from "node:net";

// Ports this process handed out recently: two containers of one run must not be given the same one.
const recentlyGiven = new Set<number>();
const rememberForMs = 60_000;

/**
 * Pick `count` free TCP ports on 127.0.0.1 from the kernel's ephemeral range. The harness binds
 * them as fixed host ports so a service keeps its address when it is restarted (Docker would pick
 * a new ephemeral port on every start). Another process may take one before Docker binds it:
 * callers retry on HARNESS_PORT_IN_USE.
 */
export async function pickFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempts = 0; ports.length < count && attempts < count * 20; attempts++) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
      servers.push(server);
      const port = (server.address() as { port: number }).port;
      if (!recentlyGiven.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
  for (const port of ports) {
    recentlyGiven.add(port);
    setTimeout(() => recentlyGiven.delete(port), rememberForMs).unref();
  }
  return ports;
}
