import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { containerEvent } from "./container-events.ts";

export interface PauseOptions {
  /** The compose service whose container is frozen (cgroup freezer: sockets stay open, nothing answers). */
  service: string;
  /** Fault id; default `pause-<service>`. */
  id?: string;
}

/** Freeze a service's container (docker pause); revert unpauses it. */
export class PauseFault extends BaseFault {
  readonly kind = "pause";
  readonly target: string;

  constructor(readonly options: PauseOptions) {
    super(options.id);
    this.target = options.service;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const bad = checks.name(this.options.service);
    if (bad) problem("service", bad);
  }

  describe(): string {
    return `pause ${this.target} (unpaused on revert)`;
  }

  params(): Record<string, unknown> {
    return { service: this.target };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const container = ctx.topology.container(this.target);
    await container.pause();
    containerEvent(ctx, this.target, "paused");
    return {
      heal: async (c) => {
        const now = await container.inspect();
        if (!now.paused) return;
        await container.unpause();
        containerEvent(c, this.target, "unpaused");
      },
    };
  }
}

/** Pause a service's container; revert unpauses it. */
export function pause(o: PauseOptions): PauseFault {
  return new PauseFault(o);
}
