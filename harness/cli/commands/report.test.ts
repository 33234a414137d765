import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isHarnessError } from "../../errors.ts";
import { syntheticRun } from "../../report/fixtures/synthetic-run.ts";
import { writeReports } from "../../report/write.ts";
import { run } from "./report.ts";

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function runDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "harness-report-cmd-"));
  dirs.push(dir);
  return dir;
}

describe("harness report <dir>", () => {
  it("re-renders report.html, summary.md and junit.xml from timeline.json and summary.json", async () => {
    const dir = await runDir();
    const { json, summary } = syntheticRun();
    await writeReports(dir, { timeline: json, summary });
    await rm(path.join(dir, "report.html"));
    const timelineBefore = await readFile(path.join(dir, "timeline.json"), "utf8");
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await run([dir])).toBe(0);
    const printed = out.mock.calls.map((c) => String(c[0])).join("");
    expect(printed).toContain(path.join(dir, "report.html"));
    expect(printed).toContain(path.join(dir, "junit.xml"));
    expect((await stat(path.join(dir, "report.html"))).size).toBeGreaterThan(10_000);
    expect(await readFile(path.join(dir, "junit.xml"), "utf8")).toContain("<testsuite ");
    expect(await readFile(path.join(dir, "timeline.json"), "utf8")).toBe(timelineBefore);
  });

  it("fails with a usage error naming the file when the directory has no timeline", async () => {
    const dir = await runDir();
    const error = await run([dir]).catch((e: unknown) => e);
    expect(isHarnessError(error) && error.exitCode).toBe(2);
    expect(String((error as Error).message)).toContain(path.join(dir, "timeline.json"));
  });

  it("refuses a damaged summary.json with a config error", async () => {
    const dir = await runDir();
    const { json } = syntheticRun();
    await writeFile(path.join(dir, "timeline.json"), JSON.stringify(json));
    await writeFile(path.join(dir, "summary.json"), "{not json");
    const error = await run([dir]).catch((e: unknown) => e);
    expect(isHarnessError(error) && error.code).toBe("HARNESS_CONFIG_INVALID");
  });

  it("wants exactly one directory", async () => {
    await expect(run([])).rejects.toMatchObject({ code: "HARNESS_USAGE" });
    await expect(run(["a", "b"])).rejects.toMatchObject({ code: "HARNESS_USAGE" });
  });
});
