import { dockerClient, dockerError } from "./client.ts";
import { removeContainer } from "./containers.ts";
import { runFilter } from "./labels.ts";
import { removeNetwork } from "./networks.ts";
import { removeVolume } from "./volumes.ts";

/** The Docker objects carrying a run's label (every run's when runId is undefined). */
export interface RunObjects {
  containers: Array<{ id: string; name: string; labels: Record<string, string>; state: string }>;
  networks: Array<{ id: string; name: string; labels: Record<string, string> }>;
  volumes: Array<{ name: string; labels: Record<string, string> }>;
}

/** List what a run left in Docker (every harness run's objects when runId is undefined). */
export async function listRunObjects(runId?: string): Promise<RunObjects> {
  const docker = dockerClient();
  const filters = runFilter(runId);
  try {
    const [containers, networks, volumes] = await Promise.all([
      docker.listContainers({ all: true, filters }),
      docker.listNetworks({ filters }),
      docker.listVolumes({ filters }),
    ]);
    return {
      containers: containers.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ""),
        labels: c.Labels ?? {},
        state: c.State,
      })),
      networks: networks.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
      volumes: (volumes.Volumes ?? []).map((v) => ({
        name: v.Name,
        labels: (v.Labels as Record<string, string> | null) ?? {},
      })),
    };
  } catch (cause) {
    throw dockerError("listing harness objects", cause);
  }
}

/**
 * Remove every container, then network, then volume carrying the run's label (every harness run's
 * when runId is undefined). `beforeRemove` sees each container first (to save its log); its
 * failures are collected, never stop the sweep.
 */
export async function removeRunObjects(
  runId: string | undefined,
  beforeRemove?: (c: RunObjects["containers"][number]) => Promise<void>,
): Promise<{ containers: number; networks: number; volumes: number; errors: unknown[] }> {
  const objects = await listRunObjects(runId);
  const errors: unknown[] = [];
  await Promise.all(
    objects.containers.map(async (c) => {
      if (beforeRemove) await beforeRemove(c).catch((e) => errors.push(e));
      await removeContainer(c.id).catch((e) => errors.push(e));
    }),
  );
  for (const n of objects.networks) await removeNetwork(n.id).catch((e) => errors.push(e));
  for (const v of objects.volumes) await removeVolume(v.name).catch((e) => errors.push(e));
  return {
    containers: objects.containers.length,
    networks: objects.networks.length,
    volumes: objects.volumes.length,
    errors,
  };
}
