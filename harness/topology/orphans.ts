import { hostname } from "node:os";
import { Label, listRunObjects } from "../runtime/docker/index.ts";
import { readCurrentRun } from "./current-run.ts";
import { type DownResult, down } from "./down.ts";

/** The owner label value of objects this process creates: `<hostname>:<pid>`. */
export function ownerOfThisProcess(): string {
  return `${hostname()}:${process.pid}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove the runs whose owning harness process on this host has died (a `kill -9`, a crash):
 * a re-run then starts clean. Detached topologies (`harness up`), the current run
 * (`.harness/current-run.json`, e.g. after `--keep`), runs of live processes and runs of other
 * hosts are left alone. Best effort: a dead run that cannot be removed whole (Docker refusing an
 * object, e.g. a network it still counts a stale endpoint on) is reported in `failures` and the
 * sweep goes on, since it does not stand in the way of a new run. Returns the run ids removed and
 * what was removed.
 */
export async function sweepOrphans(
  opts: { reportsDir?: string } = {},
): Promise<{ runs: string[]; failures: { runId: string; message: string }[] } & DownResult> {
  const objects = await listRunObjects();
  const current = (await readCurrentRun())?.runId;
  const host = hostname();
  const orphaned = new Set<string>();
  for (const o of [...objects.containers, ...objects.networks, ...objects.volumes]) {
    const runId = o.labels[Label.run];
    const owner = o.labels[Label.owner];
    if (!runId || !owner || runId === current || owner === "detached") continue;
    const sep = owner.lastIndexOf(":");
    const pid = Number(owner.slice(sep + 1));
    if (owner.slice(0, sep) === host && Number.isInteger(pid) && pid > 0 && !alive(pid)) orphaned.add(runId);
  }
  const total: DownResult = { containers: 0, networks: 0, volumes: 0 };
  const runs: string[] = [];
  const failures: { runId: string; message: string }[] = [];
  for (const runId of orphaned) {
    try {
      const r = await down({ runId, ...opts });
      total.containers += r.containers;
      total.networks += r.networks;
      total.volumes += r.volumes;
      runs.push(runId);
    } catch (error) {
      failures.push({ runId, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { runs, failures, ...total };
}
