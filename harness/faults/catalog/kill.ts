import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { containerEvent, ensureRunning } from "./container-events.ts";

export interface KillOptions {
  /** The compose service whose container is killed. */
  service: string;
  /** Signal sent, default `SIGKILL`. */
  signal?: string;
  /** Start the container again on revert. Default true. */
  restartOnRevert?: boolean;
  /** Fault id; default `kill-<service>`. */
  id?: string;
}

/** Send a signal to a service's container (docker kill); revert starts it again if it is down. */
export class KillFault extends BaseFault {
  readonly kind = "kill";
  readonly target: string;

  constructor(readonly options: KillOptions) {
    super(options.id);
    this.target = options.service;
  }

  get signal(): string {
    return this.options.signal ?? "SIGKILL";
  }

  protected check(problem: (option: string, message: string) => void): void {
    const bad = checks.name(this.options.service);
    if (bad) problem("service", bad);
    if (!/^(SIG)?[A-Z0-9]+$/.test(this.signal)) problem("signal", `"${this.signal}" is not a signal name like SIGKILL`);
  }

  describe(): string {
    const heal = this.options.restartOnRevert === false ? "left down" : "started again on revert";
    return `kill ${this.target} with ${this.signal} (${heal})`;
  }

  params(): Record<string, unknown> {
    return { service: this.target, signal: this.signal };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const container = ctx.topology.container(this.target);
    await container.kill(this.signal);
    containerEvent(ctx, this.target, "killed");
    return {
      heal: async (c) => {
        if (this.options.restartOnRevert !== false) await ensureRunning(c, container);
      },
    };
  }
}

/** Kill a service's container (default SIGKILL); revert starts it again. */
export function kill(o: KillOptions): KillFault {
  return new KillFault(o);
}
