import { HarnessError } from "../../errors.ts";
import { formatPlan, planRun } from "../../run/plan.ts";
import { loadScenario, resolveScenarioFile } from "../../scenario/load.ts";
import { parseCommandArgs, parseEnvPairs } from "../args.ts";

const HELP = `Usage: harness plan <scenario> [--duration D] [--rate N] [--env KEY=VALUE]

Validates a scenario (every problem at once) and prints what a run would do, without starting anything.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("plan", argv, {
    duration: { type: "string" },
    rate: { type: "string" },
    env: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new HarnessError("HARNESS_USAGE", "harness plan takes one scenario", { hint: "run 'harness list'" });
  const scenario = await loadScenario(resolveScenarioFile(positionals[0]!));
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  const plan = planRun(scenario, { duration: values.duration, rate, env: parseEnvPairs(values.env) });
  process.stdout.write(`${formatPlan(plan)}\n`);
  return 0;
}
