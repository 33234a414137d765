import { startToxiproxyServer, type ToxiproxyServer } from "./server/start.ts";

/** Options of `toxiproxy` / `harness toxiproxy`, Toxiproxy's own flag names. */
export interface ToxiproxyCliOptions {
  host: string;
  port: number;
  config?: string;
  metrics: boolean;
  /** Processes proxying TCP traffic (default 1). */
  workers?: number;
}

export const toxiproxyUsage = `Usage: toxiproxy [--host 127.0.0.1] [--port 8474] [--config proxies.json] [--proxy-metrics] [--workers 1]

  --host HOST        address of the HTTP API (default 127.0.0.1; 0.0.0.0 in a container)
  --port PORT        port of the HTTP API (default 8474)
  --config FILE      JSON array of proxies to create at start-up (the /populate format)
  --proxy-metrics    serve Prometheus byte counters at /metrics
  --workers N        processes proxying the TCP traffic (default 1; the API and state stay in one;
                     not with --proxy-metrics)
  --version          print the Toxiproxy API version this server speaks`;

/** A bad flag; the message says which. */
export class UsageError extends Error {}

/** Parse flags; one or two dashes, "--flag value" or "--flag=value", as Go's flag package accepts. */
export function parseToxiproxyArgs(argv: readonly string[]): ToxiproxyCliOptions | "help" | "version" {
  const options: ToxiproxyCliOptions = { host: "127.0.0.1", port: 8474, metrics: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new UsageError(`unexpected argument '${arg}'`);
    const name = match[1] ?? "";
    const value = () => {
      if (match[2] !== undefined) return match[2];
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`flag --${name} needs a value`);
      return next;
    };
    switch (name) {
      case "h":
      case "help":
        return "help";
      case "version":
        return "version";
      case "host":
        options.host = value();
        break;
      case "port": {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be 0..65535, got '${text}'`);
        options.port = port;
        break;
      }
      case "config":
        options.config = value();
        break;
      case "proxy-metrics":
      case "metrics":
        options.metrics = match[2] === undefined || match[2] === "true";
        break;
      case "workers": {
        const text = value();
        const workers = Number(text);
        if (!/^\d+$/.test(text) || workers < 1 || workers > 64)
          throw new UsageError(`--workers must be 1..64, got '${text}'`);
        options.workers = workers;
        break;
      }
      case "runtime-metrics":
        break;
      default:
        throw new UsageError(`unknown flag --${name}`);
    }
  }
  return options;
}

/** Start the server, log where it listens, and stop on SIGINT or SIGTERM. Resolves when stopped. */
export async function serveUntilSignal(
  options: ToxiproxyCliOptions,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  const server: ToxiproxyServer = await startToxiproxyServer(options);
  log(
    JSON.stringify({ level: "info", host: options.host, port: server.port, message: "Starting Toxiproxy HTTP server" }),
  );
  for (const proxy of server.proxies.list()) {
    log(
      JSON.stringify({
        level: "info",
        name: proxy.name,
        listen: proxy.listen,
        upstream: proxy.upstream,
        enabled: proxy.enabled,
        message: "Proxy from config",
      }),
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  log(JSON.stringify({ level: "info", message: "Shutdown started" }));
  await server.close();
}
