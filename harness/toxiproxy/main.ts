// Stand-alone entry (bundled into the container image): `node toxiproxy.mjs --host 0.0.0.0 --port 8474`.
import { parseToxiproxyArgs, serveUntilSignal, toxiproxyUsage, UsageError } from "./cli.ts";
import { toxiproxyVersion } from "./server/routes.ts";
// Also the entry of `--workers N` processes (forked with this bundle): then the worker runs instead.
import { isToxiproxyWorker } from "./worker.ts";

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseToxiproxyArgs>;
  try {
    parsed = parseToxiproxyArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`toxiproxy: ${error.message}\n${toxiproxyUsage}\n`);
    return 2;
  }
  if (parsed === "help") {
    process.stdout.write(`${toxiproxyUsage}\n`);
    return 0;
  }
  if (parsed === "version") {
    process.stdout.write(`toxiproxy-server version ${toxiproxyVersion}\n`);
    return 0;
  }
  await serveUntilSignal(parsed);
  return 0;
}

if (!isToxiproxyWorker) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`toxiproxy: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
