import { HarnessError } from "../../errors.ts";
import { parseToxiproxyArgs, serveUntilSignal, toxiproxyUsage, UsageError } from "../../toxiproxy/cli.ts";
import { toxiproxyVersion } from "../../toxiproxy/index.ts";

/** `harness toxiproxy [--host 127.0.0.1] [--port 8474] [--config proxies.json] [--proxy-metrics]`: runs until Ctrl-C. */
export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseToxiproxyArgs>;
  try {
    parsed = parseToxiproxyArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      throw new HarnessError("HARNESS_USAGE", error.message, { hint: "run 'harness toxiproxy --help'" });
    }
    throw error;
  }
  if (parsed === "help") {
    process.stdout.write(`${toxiproxyUsage.replace("Usage: toxiproxy", "Usage: harness toxiproxy")}\n`);
    return 0;
  }
  if (parsed === "version") {
    process.stdout.write(`${toxiproxyVersion}\n`);
    return 0;
  }
  try {
    await serveUntilSignal(parsed);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new HarnessError("HARNESS_PORT_IN_USE", `port ${parsed.port} on ${parsed.host} is already in use`, {
        hint: "stop what listens there or pass --port",
        cause: error,
      });
    }
    if (
      code === "ENOENT" ||
      (error instanceof Error && parsed.config !== undefined && /proxies|JSON|EOF/.test(error.message))
    ) {
      throw new HarnessError(
        "HARNESS_CONFIG_INVALID",
        `cannot load --config ${parsed.config}: ${(error as Error).message}`,
        {
          hint: "pass a JSON array of {name, listen, upstream} (the /populate format)",
          cause: error,
        },
      );
    }
    throw error;
  }
  return 0;
}
