import { needTopology, type Probe, type ProbeContext, type Sampler } from "./probe.ts";

export interface ContainerStateOptions {
  /** The services to watch. Default: every service of the topology. */
  services?: string[];
  /** Sampling interval, ms. Default: the runner's. */
  intervalMs?: number;
}

type Seen = { running: boolean; paused: boolean; health: string | undefined };

/**
 * Each service's container as Docker reports it: gauges `container_running{service}`,
 * `container_paused{service}` and, with a health check, `container_healthy{service}` (1 healthy);
 * on a change a `container` event `{ state, by: "probe" }` (state: stopped | killed | started |
 * paused | unpaused; killed when it exited with 137) and a `probe` / `container.health` event
 * `{ service, health, previous }` when the health changes. The first reading sets the baseline.
 */
export class ContainerStateProbe implements Probe {
  readonly name = "container";
  readonly intervalMs: number | undefined;
  constructor(readonly options: ContainerStateOptions = {}) {
    this.intervalMs = options.intervalMs;
  }

  validate(): string[] {
    const s = this.options.services;
    return s !== undefined && (!Array.isArray(s) || s.length === 0) ? ["services must list services"] : [];
  }

  describe(): string {
    return `container state of ${this.options.services?.join(", ") ?? "every service"}`;
  }

  open(ctx: ProbeContext): Sampler {
    const topology = needTopology(ctx, this.name);
    const services = this.options.services ?? topology.services();
    const timeline = ctx.timeline;
    const last = new Map<string, Seen>();
    return {
      sample: async () => {
        const failures: string[] = [];
        await Promise.all(
          services.map(async (service) => {
            let now: Awaited<ReturnType<ReturnType<typeof topology.container>["inspect"]>>;
            try {
              now = await topology.container(service).inspect();
            } catch (cause) {
              failures.push(`${service}: ${cause instanceof Error ? cause.message : String(cause)}`);
              return;
            }
            const atMs = timeline.clock.nowMs();
            const tags = { service };
            const running = now.running && !now.paused;
            timeline.series("container_running", "gauge", tags).gauge(now.running ? 1 : 0, atMs);
            timeline.series("container_paused", "gauge", tags).gauge(now.paused ? 1 : 0, atMs);
            if (now.health)
              timeline.series("container_healthy", "gauge", tags).gauge(now.health === "healthy" ? 1 : 0, atMs);
            const before = last.get(service);
            last.set(service, { running: now.running, paused: now.paused, health: now.health });
            if (!before) return;
            let state: string | undefined;
            if (before.running && !now.running) state = now.exitCode === 137 ? "killed" : "stopped";
            else if (!before.running && now.running) state = "started";
            else if (!before.paused && now.paused) state = "paused";
            else if (before.paused && running) state = "unpaused";
            if (state) timeline.event("container", service, { state, by: "probe" }, atMs);
            if (before.health !== now.health && (before.health || now.health)) {
              timeline.event(
                "probe",
                "container.health",
                { service, health: now.health ?? null, previous: before.health ?? null },
                atMs,
              );
            }
          }),
        );
        if (failures.length > 0) throw new Error(failures.join("; "));
      },
    };
  }
}

/** Watch containers' running / paused / health state. */
export function containerState(o: ContainerStateOptions = {}): ContainerStateProbe {
  return new ContainerStateProbe(o);
}
