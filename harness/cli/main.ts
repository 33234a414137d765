import { HarnessError, isHarnessError } from "../errors.ts";

/** One command: takes its own argv (after the command word) and returns the exit code. */
export type Command = (argv: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<{ run: Command }>;
}

// One line per command; each lives in commands/<word>.ts and is loaded only when used.
const commands: Record<string, CommandEntry> = {
  run: { summary: "run a scenario: up, load, faults, verdict, report, down", load: () => import("./commands/run.ts") },
  list: { summary: "list the scenarios with a one-line description", load: () => import("./commands/list.ts") },
  plan: { summary: "print a scenario's plan without running it", load: () => import("./commands/plan.ts") },
  report: { summary: "re-render a run's report from its timeline.json", load: () => import("./commands/report.ts") },
  up: { summary: "start a topology from a compose file", load: () => import("./commands/up.ts") },
  down: {
    summary: "remove the current run's containers (--all: every harness run's)",
    load: () => import("./commands/down.ts"),
  },
  ps: { summary: "list the running topology's services", load: () => import("./commands/ps.ts") },
  doctor: { summary: "check Docker, the base image, ports and disk", load: () => import("./commands/doctor.ts") },
  toxiproxy: { summary: "run the Toxiproxy-compatible fault proxy", load: () => import("./commands/toxiproxy.ts") },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([word, c]) => `  ${word.padEnd(width)}  ${c.summary}`);
  return `harness: chaos and load testing on one timeline

Usage: harness <command> [options]

Commands:
${lines.join("\n")}

Run 'harness <command> --help' for a command's options.`;
}

/** Parse argv, run one command, and return its exit code. The only place that decides exit codes. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [word, ...rest] = argv;
    if (word === undefined || word === "--help" || word === "-h" || word === "help") {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    const entry = commands[word];
    if (!entry) {
      throw new HarnessError("HARNESS_USAGE", `unknown command '${word}'`, { hint: "run 'harness --help'" });
    }
    const { run } = await entry.load();
    return await run(rest);
  } catch (error) {
    return reportError(error);
  }
}

/** Print an error as one line (expected failures) or with its stack (bugs), and return the exit code. */
export function reportError(error: unknown): number {
  if (isHarnessError(error)) {
    process.stderr.write(`error ${error.code}: ${error.toOneLine()}\n`);
    return error.exitCode;
  }
  process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 3;
}
