import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** What `harness up` records so `harness ps` and `harness down` find the run. */
export interface CurrentRun {
  runId: string;
  project: string;
  /** Absolute compose file path. */
  file: string;
  /** Where the run's reports (and logs) go. */
  reportsDir?: string;
}

/** `.harness/current-run.json` under the working directory. */
export function currentRunFile(cwd = process.cwd()): string {
  return path.join(cwd, ".harness", "current-run.json");
}

export async function writeCurrentRun(run: CurrentRun, cwd?: string): Promise<void> {
  const file = currentRunFile(cwd);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(run, null, 2)}\n`);
}

/** The recorded run, or undefined when there is none (or the file is unreadable). */
export async function readCurrentRun(cwd?: string): Promise<CurrentRun | undefined> {
  try {
    const data = JSON.parse(await readFile(currentRunFile(cwd), "utf8")) as Partial<CurrentRun>;
    return typeof data.runId === "string" && typeof data.project === "string" ? (data as CurrentRun) : undefined;
  } catch {
    return undefined;
  }
}

/** Forget the current run (only when it is the given one, if runId is passed). */
export async function clearCurrentRun(runId?: string, cwd?: string): Promise<void> {
  if (runId !== undefined && (await readCurrentRun(cwd))?.runId !== runId) return;
  await rm(currentRunFile(cwd), { force: true });
}
