import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { HarnessError } from "../errors.ts";
import {
  containerLogs,
  Label,
  listRunObjects,
  pingDocker,
  type RunObjects,
  removeRunObjects,
} from "../runtime/docker/index.ts";
import { readCurrentRun } from "./current-run.ts";

export interface DownOptions {
  /** The run to remove; default: the current run (.harness/current-run.json) unless `all`. */
  runId?: string;
  /** Remove every harness-labelled container, network and volume, of every run. */
  all?: boolean;
  /** Container logs go to <reportsDir>/<runId>/logs/<service>.log; default "reports". */
  reportsDir?: string;
  /** Skip saving logs. */
  skipLogs?: boolean;
}

/** What a down removed. */
export interface DownResult {
  containers: number;
  networks: number;
  volumes: number;
}

/**
 * Remove a run's containers (saving their logs first), then its networks and volumes; with `all`,
 * every harness run's. Objects already gone are not an error; any other failure is raised after
 * the sweep has tried everything.
 */
export async function down(opts: DownOptions = {}): Promise<DownResult> {
  let runId = opts.runId;
  if (!opts.all && runId === undefined) {
    runId = (await readCurrentRun())?.runId;
    if (runId === undefined) return { containers: 0, networks: 0, volumes: 0 };
  }
  await pingDocker();
  const reportsDir = opts.reportsDir ?? "reports";
  const result = await removeRunObjects(
    opts.all ? undefined : runId,
    opts.skipLogs
      ? undefined
      : async (c) => {
          await saveLog(c, reportsDir);
        },
  );
  if (result.errors.length > 0) {
    const first = result.errors[0];
    throw new HarnessError(
      "HARNESS_DOCKER_FAILED",
      `down ${opts.all ? "--all" : runId}: ${result.errors.length} object(s) could not be removed: ${first instanceof Error ? first.message : String(first)}`,
      {
        hint: "run 'harness down --all' again, or inspect with 'docker ps -a --filter label=io.harness.run'",
        cause: first,
      },
    );
  }
  return { containers: result.containers, networks: result.networks, volumes: result.volumes };
}

/** Remove every harness-labelled object left by any run (crashed runs included). */
export function sweepLeftovers(opts: { reportsDir?: string } = {}): Promise<DownResult> {
  return down({ all: true, ...opts });
}

/** The Docker objects a run still has (every run's when runId is undefined). */
export async function runObjects(runId?: string): Promise<RunObjects> {
  return await listRunObjects(runId);
}

/** True when anything labelled with the run id is still in Docker. */
export async function runExists(runId: string): Promise<boolean> {
  const o = await listRunObjects(runId);
  return o.containers.length + o.networks.length + o.volumes.length > 0;
}

/** Write a container's whole log, timestamped, to <reportsDir>/<runId>/logs/<service>.log. */
export async function saveLog(c: RunObjects["containers"][number], reportsDir: string): Promise<string> {
  const runId = c.labels[Label.run] ?? "unknown-run";
  const service = c.labels[Label.service] ?? c.name;
  const dir = path.join(reportsDir, runId, "logs");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${service}.log`);
  await writeFile(file, await containerLogs(c.id, { timestamps: true }));
  return file;
}
