import { HarnessError } from "../../errors.ts";
import { formatPlan, planRun } from "../../run/plan.ts";
import { runScenario } from "../../run/run.ts";
import { guardSignals } from "../../run/signals.ts";
import { loadScenario, resolveScenarioFile } from "../../scenario/load.ts";
import { parseCommandArgs, parseEnvPairs } from "../args.ts";
import { formatVerdict } from "../verdict-output.ts";

const HELP = `Usage: harness run <scenario> [options]

Runs a scenario end to end: topology up and healthy, warmup, load with the fault schedule,
recovery watch, verify, verdict, report, topology down.

Options:
  --duration D        override the load's duration (e.g. 60s)
  --rate N            override the arrival rate (requests/s) or VUs
  --env KEY=VALUE     set a variable of the compose file (the target's switches); repeatable
  --keep              leave the topology running afterwards ('harness down' removes it)
  --gate              also write junit.xml (one testcase per threshold) for CI
  --allow-host HOST   allow load to a host other than 127.0.0.1 / localhost; repeatable
  --reports DIR       where reports/<run-id>/ goes (default reports)
  --plan              print the plan and exit

Exit codes: 0 pass, 1 an SLO failed, 2 usage or config error, 3 infrastructure error,
4 run invalid (generator saturated or something not measured), 130 interrupted.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("run", argv, {
    duration: { type: "string" },
    rate: { type: "string" },
    env: { type: "string", multiple: true },
    keep: { type: "boolean" },
    gate: { type: "boolean" },
    "allow-host": { type: "string", multiple: true },
    reports: { type: "string" },
    plan: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new HarnessError("HARNESS_USAGE", "harness run takes one scenario", {
      hint: "run 'harness list' to see them",
    });
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw new HarnessError("HARNESS_USAGE", `--rate ${values.rate}: expected a number above 0`, {
      hint: "write it like --rate 200",
    });
  }
  const scenario = await loadScenario(resolveScenarioFile(positionals[0]!));
  const plan = planRun(scenario, { duration: values.duration, rate, env: parseEnvPairs(values.env) });
  if (values.plan) {
    process.stdout.write(`${formatPlan(plan)}\n`);
    return 0;
  }
  const started = Date.now();
  const log = (line: string): void => {
    const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[${t}s] ${line}\n`);
  };
  using guard = guardSignals((sig, count) => {
    if (count === 1) log(`${sig}: aborting: reverting faults, removing containers, writing a partial report`);
    else if (count === 2) log(`${sig} again: cleanup is running; a third one exits at once and may leave containers`);
  });
  const outcome = await runScenario({
    plan,
    keep: values.keep,
    gate: values.gate,
    allowHosts: values["allow-host"],
    reportsDir: values.reports,
    signal: guard.signal,
    log,
  });
  process.stdout.write(`${formatVerdict(outcome)}\n`);
  return outcome.exitCode;
}
