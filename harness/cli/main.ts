import { HarnessError, isHarnessError } from "../errors.ts";

const USAGE = `harness: chaos and load testing on one timeline

Usage: harness <command> [options]

Commands:
  --help        this text`;

/** Parse argv, run one command, and return its exit code. The only place that decides exit codes. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    throw new HarnessError("HARNESS_USAGE", `unknown command '${command}'`, { hint: "run 'harness --help'" });
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (isHarnessError(error)) {
    process.stderr.write(`error ${error.code}: ${error.toOneLine()}\n`);
    return error.exitCode;
  }
  process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 3;
}
