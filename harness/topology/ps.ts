import { inspectContainer, Label, listRunObjects, pingDocker } from "../runtime/docker/index.ts";

/** One service container as `harness ps` shows it. */
export interface ServiceStatus {
  runId: string;
  project: string;
  service: string;
  containerId: string;
  name: string;
  /** Docker's status word: running, paused, exited, restarting, created, dead. */
  state: string;
  health?: "starting" | "healthy" | "unhealthy";
  exitCode?: number;
  /** Published ports, always on 127.0.0.1. */
  ports: Array<{ containerPort: number; protocol: string; hostPort: number }>;
}

/** The containers of one run (every harness run's when runId is undefined), sorted by run then service. */
export async function ps(runId?: string): Promise<ServiceStatus[]> {
  await pingDocker();
  const objects = await listRunObjects(runId);
  const out = await Promise.all(
    objects.containers.map(async (c) => {
      const s = await inspectContainer(c.id).catch(() => undefined);
      const status: ServiceStatus = {
        runId: c.labels[Label.run] ?? "",
        project: c.labels[Label.project] ?? "",
        service: c.labels[Label.service] ?? c.name,
        containerId: c.id.slice(0, 12),
        name: c.name,
        state: s?.status ?? c.state,
        ports: Object.entries(s?.ports ?? {}).map(([key, hostPort]) => {
          const [port, protocol = "tcp"] = key.split("/");
          return { containerPort: Number(port), protocol, hostPort };
        }),
      };
      if (s?.health) status.health = s.health;
      if (s?.exitCode !== undefined) status.exitCode = s.exitCode;
      return status;
    }),
  );
  return out.sort((a, b) => a.runId.localeCompare(b.runId) || a.service.localeCompare(b.service));
}
