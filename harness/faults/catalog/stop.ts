import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { containerEvent, ensureRunning } from "./container-events.ts";

export interface StopOptions {
  /** The compose service whose container is stopped. */
  service: string;
  /** Seconds between SIGTERM and SIGKILL, default 10 (Docker's default). */
  timeoutS?: number;
  /** Fault id; default `stop-<service>`. */
  id?: string;
}

/** Stop a service's container gracefully (docker stop); revert starts it. */
export class StopFault extends BaseFault {
  readonly kind = "stop";
  readonly target: string;

  constructor(readonly options: StopOptions) {
    super(options.id);
    this.target = options.service;
  }

  get timeoutS(): number {
    return this.options.timeoutS ?? 10;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const bad = checks.name(this.options.service);
    if (bad) problem("service", bad);
    const t = checks.integer(this.timeoutS, 0);
    if (t) problem("timeoutS", t);
  }

  describe(): string {
    return `stop ${this.target} (SIGKILL after ${this.timeoutS} s; started again on revert)`;
  }

  params(): Record<string, unknown> {
    return { service: this.target, timeoutS: this.timeoutS };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const container = ctx.topology.container(this.target);
    await container.stop(this.timeoutS);
    containerEvent(ctx, this.target, "stopped");
    return { heal: (c) => ensureRunning(c, container) };
  }
}

/** Stop a service's container; revert starts it. */
export function stop(o: StopOptions): StopFault {
  return new StopFault(o);
}
