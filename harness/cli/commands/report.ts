import { readFile } from "node:fs/promises";
import path from "node:path";
import { HarnessError } from "../../errors.ts";
import { parseSummaryJson } from "../../report/json.ts";
import { writeReports } from "../../report/write.ts";
import type { TimelineJSON } from "../../timeline/types.ts";
import { parseCommandArgs } from "../args.ts";

const HELP = `Usage: harness report <dir>

Re-render a run's report.html, summary.md and junit.xml from <dir>/timeline.json and
<dir>/summary.json (as written by 'harness run' into reports/<run-id>/). The sources are not changed.

Options:
  -h, --help   show this help`;

/** `harness report <dir>`: re-render the reports of a finished (or interrupted) run. */
export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs("report", argv, { help: { type: "boolean", short: "h" } });
  if (parsed.values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined || extra.length > 0) {
    throw new HarnessError("HARNESS_USAGE", "harness report takes exactly one run directory", {
      hint: "harness report reports/<run-id>",
    });
  }
  const timeline = await readSource(dir, "timeline.json", (text, file) => {
    const json = JSON.parse(text) as TimelineJSON;
    if (json?.format !== "harness.timeline/v1") {
      throw new TypeError(`${file} is not a harness timeline (format ${String(json?.format)})`);
    }
    return json;
  });
  const summary = await readSource(dir, "summary.json", (text, file) => parseSummaryJson(text, file));
  const { files } = await writeReports(dir, { timeline, summary, gate: true, sources: false });
  for (const f of files) process.stdout.write(`${f}\n`);
  return 0;
}

async function readSource<T>(dir: string, name: string, decode: (text: string, file: string) => T): Promise<T> {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new HarnessError("HARNESS_USAGE", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      hint: "point at a run directory written by 'harness run' (reports/<run-id>)",
      cause: error,
    });
  }
  try {
    return decode(text, file);
  } catch (error) {
    throw new HarnessError("HARNESS_CONFIG_INVALID", `${file}: ${error instanceof Error ? error.message : error}`, {
      hint: "the file is damaged or from another tool; re-run the scenario to write it again",
      cause: error,
    });
  }
}
