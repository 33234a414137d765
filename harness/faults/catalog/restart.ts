import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { containerEvent, ensureRunning } from "./container-events.ts";

export interface RestartOptions {
  /** The compose service whose container is restarted. */
  service: string;
  /** Fault id; default `restart-<service>`. */
  id?: string;
}

/** Restart a service's container (docker restart); revert makes sure it runs. */
export class RestartFault extends BaseFault {
  readonly kind = "restart";
  readonly target: string;

  constructor(readonly options: RestartOptions) {
    super(options.id);
    this.target = options.service;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const bad = checks.name(this.options.service);
    if (bad) problem("service", bad);
  }

  describe(): string {
    return `restart ${this.target}`;
  }

  params(): Record<string, unknown> {
    return { service: this.target };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const container = ctx.topology.container(this.target);
    await container.restart();
    containerEvent(ctx, this.target, "restarted");
    return { heal: (c) => ensureRunning(c, container) };
  }
}

/** Restart a service's container; the revert only checks it runs again. */
export function restart(o: RestartOptions): RestartFault {
  return new RestartFault(o);
}
