import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TimelineJSON } from "../timeline/types.ts";
import { renderHtml, reportFaults } from "./html/render.ts";
import { renderSummaryJson } from "./json.ts";
import { renderJUnit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import type { RunSummary } from "./types.ts";

/** What writeReports renders from. */
export interface WriteReportsInput {
  timeline: TimelineJSON;
  summary: RunSummary;
  /** Also write junit.xml (one testcase per threshold). Default false. */
  gate?: boolean;
  /**
   * Also write the sources, timeline.json and summary.json. Default true; `harness report`
   * re-renders from them and passes false so it never rewrites what it read.
   */
  sources?: boolean;
}

/**
 * Write a run's reports into `dir` (created if missing): timeline.json, summary.json, report.html,
 * summary.md, and junit.xml with `gate`. Each file is written to a temporary name and renamed, so a
 * reader (or an interrupted run) never sees half a file. Returns the paths written, in that order.
 */
export async function writeReports(dir: string, input: WriteReportsInput): Promise<{ files: string[] }> {
  await mkdir(dir, { recursive: true });
  const outputs: Array<[string, () => string]> = [];
  if (input.sources ?? true) {
    outputs.push(["timeline.json", () => JSON.stringify(input.timeline)]);
    outputs.push(["summary.json", () => renderSummaryJson(input.summary)]);
  }
  outputs.push(["report.html", () => renderHtml(input.timeline, input.summary)]);
  outputs.push(["summary.md", () => renderMarkdown(input.summary, reportFaults(input.timeline, input.summary))]);
  if (input.gate) outputs.push(["junit.xml", () => renderJUnit(input.summary)]);

  const files: string[] = [];
  for (const [name, render] of outputs) {
    const file = path.join(dir, name);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, render(), "utf8");
    await rename(tmp, file);
    files.push(file);
  }
  return { files };
}
