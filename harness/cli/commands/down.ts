import { clearCurrentRun, down, readCurrentRun } from "../../topology/index.ts";
import { parseCommandArgs } from "../args.ts";

const help = `Usage: harness down [--all] [--run-id ID] [--reports DIR]

Remove a run's containers, networks and volumes, saving each container's log to
<reports>/<run-id>/logs/<service>.log first.

Options:
      --all            remove every harness-labelled container, network and volume (all runs)
      --run-id ID      the run to remove (default: the current run from 'harness up')
      --reports DIR    where logs go (default: the run's, or reports)
  -h, --help           this text`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    "down",
    argv,
    {
      all: { type: "boolean" },
      "run-id": { type: "string" },
      reports: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    false,
  );
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const current = await readCurrentRun();
  const runId = values["run-id"] ?? current?.runId;
  if (!values.all && runId === undefined) {
    process.stdout.write("nothing to remove: no current run (use --all to sweep every harness run)\n");
    return 0;
  }
  const reportsDir = values.reports ?? current?.reportsDir ?? "reports";
  const removed = await down({ ...(values.all ? { all: true } : { runId: runId! }), reportsDir });
  if (values.all) await clearCurrentRun();
  else await clearCurrentRun(runId);
  const what = values.all ? "every harness run" : `run ${runId}`;
  process.stdout.write(
    `removed ${what}: ${removed.containers} containers, ${removed.networks} networks, ${removed.volumes} volumes` +
      (removed.containers > 0 ? ` (logs in ${reportsDir}/${values.all ? "<run-id>" : runId}/logs)` : "") +
      "\n",
  );
  return 0;
}
