import path from "node:path";
import { isHarnessError } from "../../errors.ts";
import { listScenarioFiles, loadScenario } from "../../scenario/load.ts";
import { parseCommandArgs } from "../args.ts";

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("list", argv, { help: { type: "boolean", short: "h" } }, false);
  if (values.help) {
    process.stdout.write(
      "Usage: harness list\n\nLists the scenarios in ./scenarios with a one-line description each.\n",
    );
    return 0;
  }
  const files = listScenarioFiles();
  if (files.length === 0) {
    process.stdout.write("no scenarios: put scenarios/<name>.ts here (see CONTRIBUTING.md)\n");
    return 0;
  }
  const rows: Array<[string, string]> = [];
  let broken = 0;
  for (const file of files) {
    try {
      const s = await loadScenario(file);
      rows.push([s.name, s.description]);
    } catch (error) {
      broken++;
      rows.push([path.basename(file, ".ts"), `BROKEN: ${isHarnessError(error) ? error.message : String(error)}`]);
    }
  }
  const width = Math.max(...rows.map(([n]) => n.length));
  for (const [name, description] of rows) process.stdout.write(`${name.padEnd(width)}  ${description}\n`);
  return broken > 0 ? 2 : 0;
}
