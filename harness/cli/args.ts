import { type ParseArgsConfig, parseArgs } from "node:util";
import { HarnessError } from "../errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with our one-line usage errors (exit 2) instead of a thrown TypeError. */
export function parseCommandArgs<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    // Node appends advice about '--' to unknown options; our hint says where help is instead.
    const message = (error instanceof Error ? error.message.split("\n")[0]! : String(error)).replace(
      /\. To specify a positional argument.*$/,
      "",
    );
    throw new HarnessError("HARNESS_USAGE", `harness ${command}: ${message}`, {
      hint: `run 'harness ${command} --help'`,
    });
  }
}

/** `KEY=VALUE` pairs from repeated `--env` flags. */
export function parseEnvPairs(pairs: readonly string[] | undefined, flag = "--env"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new HarnessError("HARNESS_USAGE", `${flag} ${pair}: expected KEY=VALUE`, {
        hint: `write it like ${flag} DB_FAILOVER=off`,
      });
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
