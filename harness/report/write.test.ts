import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Timeline } from "../timeline/timeline.ts";
import { syntheticRun } from "./fixtures/synthetic-run.ts";
import { parseSummaryJson } from "./json.ts";
import { writeReports } from "./write.ts";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "harness-write-"));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("writeReports", () => {
  it("writes the timeline, the summary, the HTML, the Markdown and with gate the JUnit, and nothing else", async () => {
    const { json, summary } = syntheticRun();
    const dir = path.join(await tempDir(), "reports", summary.runId);
    const { files } = await writeReports(dir, { timeline: json, summary, gate: true });
    expect(files.map((f) => path.basename(f))).toEqual([
      "timeline.json",
      "summary.json",
      "report.html",
      "summary.md",
      "junit.xml",
    ]);
    expect((await readdir(dir)).sort()).toEqual([
      "junit.xml",
      "report.html",
      "summary.json",
      "summary.md",
      "timeline.json",
    ]);
    const back = parseSummaryJson(await readFile(path.join(dir, "summary.json"), "utf8"));
    expect(back).toEqual(summary);
    const timeline = Timeline.fromJSON(JSON.parse(await readFile(path.join(dir, "timeline.json"), "utf8")));
    expect(timeline.aggregate({ metric: "http_reqs" })!.total).toBe(3000);
  });

  it("leaves out junit.xml without gate, and the sources when re-rendering", async () => {
    const { json, summary } = syntheticRun();
    const dir = await tempDir();
    await writeFile(path.join(dir, "timeline.json"), "original");
    const { files } = await writeReports(dir, { timeline: json, summary, sources: false });
    expect(files.map((f) => path.basename(f))).toEqual(["report.html", "summary.md"]);
    expect(await readFile(path.join(dir, "timeline.json"), "utf8")).toBe("original");
  });
});

describe("parseSummaryJson", () => {
  it("refuses a file that is not a run summary, naming it", () => {
    expect(() => parseSummaryJson(`{"format":"other"}`, "x/summary.json")).toThrow(
      /x\/summary.json is not a harness run summary/,
    );
    expect(() => parseSummaryJson(`{"format":"harness.summary/v1","runId":"r"}`)).toThrow(/lacks scenario, verdict/);
  });
});
