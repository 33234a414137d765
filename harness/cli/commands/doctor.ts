import { existsSync } from "node:fs";
import { ExitCode } from "../../errors.ts";
import { doctor } from "../../topology/index.ts";
import { parseCommandArgs } from "../args.ts";

const help = `Usage: harness doctor [-f compose.yaml] [--json]

Check what a run needs: Docker reachable (and its version), the base image debian:bookworm-slim,
free ports on 127.0.0.1 (the compose file's fixed ones), free disk, and leftovers of earlier runs.
Exit 0 when nothing fails, 3 otherwise.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    "doctor",
    argv,
    {
      file: { type: "string", short: "f" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    false,
  );
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const file = values.file ?? (existsSync("compose.yaml") ? "compose.yaml" : undefined);
  const checks = await doctor(file ? { file } : {});
  const failed = checks.some((c) => c.status === "fail");
  if (values.json) {
    process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  } else {
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) {
      process.stdout.write(
        `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}${c.hint ? `\n${" ".repeat(width + 8)}-> ${c.hint}` : ""}\n`,
      );
    }
  }
  return failed ? ExitCode.infrastructure : ExitCode.pass;
}
