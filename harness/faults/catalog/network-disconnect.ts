import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";

export interface NetworkDisconnectOptions {
  /** The compose service whose container is cut off. */
  service: string;
  /** The compose network it is disconnected from (connected again on revert). */
  network: string;
  /** Fault id; default `network-disconnect-<service>`. */
  id?: string;
}

/** Disconnect a service's container from a network (docker network disconnect); revert connects it again. */
export class NetworkDisconnectFault extends BaseFault {
  readonly kind = "network-disconnect";
  readonly target: string;

  constructor(readonly options: NetworkDisconnectOptions) {
    super(options.id);
    this.target = options.service;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const s = checks.name(this.options.service);
    if (s) problem("service", s);
    const n = checks.name(this.options.network);
    if (n) problem("network", n);
  }

  describe(): string {
    return `disconnect ${this.target} from network ${this.options.network} (connected again on revert)`;
  }

  params(): Record<string, unknown> {
    return { service: this.target, network: this.options.network };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const container = ctx.topology.container(this.target);
    await container.disconnect(this.options.network);
    return {
      heal: async () => {
        await container.connect(this.options.network);
      },
    };
  }
}

/** Cut a service off one network; revert reconnects it. */
export function networkDisconnect(o: NetworkDisconnectOptions): NetworkDisconnectFault {
  return new NetworkDisconnectFault(o);
}
