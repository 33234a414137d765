import { ps, readCurrentRun, type ServiceStatus } from "../../topology/index.ts";
import { parseCommandArgs } from "../args.ts";

const help = `Usage: harness ps [--run-id ID | --all] [--json]

List a run's services: state, health and published ports (127.0.0.1).

Options:
      --run-id ID   the run (default: the current run from 'harness up')
      --all         every harness run
      --json        one JSON array instead of a table
  -h, --help        this text`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    "ps",
    argv,
    {
      all: { type: "boolean" },
      "run-id": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    false,
  );
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const runId = values.all ? undefined : (values["run-id"] ?? (await readCurrentRun())?.runId);
  if (!values.all && runId === undefined) {
    process.stdout.write(values.json ? "[]\n" : "no current run (start one with 'harness up', or use --all)\n");
    return 0;
  }
  const rows = await ps(runId);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${table(rows, Boolean(values.all))}\n`);
  return 0;
}

/** A plain text table; the RUN column only when several runs are listed. */
export function table(rows: ServiceStatus[], withRun: boolean): string {
  if (rows.length === 0) return "no containers";
  const header = [...(withRun ? ["RUN"] : []), "SERVICE", "STATE", "HEALTH", "PORTS"];
  const body = rows.map((r) => [
    ...(withRun ? [r.runId] : []),
    r.service,
    r.exitCode !== undefined && r.state !== "running" ? `${r.state} (${r.exitCode})` : r.state,
    r.health ?? "-",
    r.ports.map((p) => `127.0.0.1:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(", ") || "-",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [header, ...body]
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "))
    .join("\n");
}
