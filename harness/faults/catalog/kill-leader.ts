import { HarnessError } from "../../errors.ts";
import { readCluster, serviceOfMember } from "../../probes/patroni-api.ts";
import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { containerEvent, ensureRunning } from "./container-events.ts";

export interface KillLeaderOptions {
  /** The compose services of the Patroni members, e.g. `["db1", "db2", "db3"]`. */
  members: string[];
  /** Container port of Patroni's REST API, default 8008 (published on 127.0.0.1). */
  apiPort?: number;
  /** Signal sent, default `SIGKILL`. */
  signal?: string;
  /** Per-member `/cluster` timeout, ms. Default 2000. */
  apiTimeoutMs?: number;
  /** Fault id; default `kill-leader-<members joined by ,>`. */
  id?: string;
}

/**
 * Kill by role: find the current Patroni leader through `GET /cluster` on any member, then
 * docker-kill that service's container. Revert starts it again, so it rejoins as a replica.
 */
export class KillLeaderFault extends BaseFault {
  readonly kind = "kill-leader";
  readonly target: string;

  constructor(readonly options: KillLeaderOptions) {
    super(options.id);
    this.target = Array.isArray(options.members) ? options.members.join(",") : String(options.members);
  }

  get signal(): string {
    return this.options.signal ?? "SIGKILL";
  }
  get apiPort(): number {
    return this.options.apiPort ?? 8008;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const m = this.options.members;
    if (!Array.isArray(m) || m.length === 0) problem("members", "must list at least one service");
    else if (m.some((s) => checks.name(s))) problem("members", "must hold service names only");
    const port = checks.integer(this.apiPort, 1);
    if (port) problem("apiPort", port);
    if (!/^(SIG)?[A-Z0-9]+$/.test(this.signal)) problem("signal", `"${this.signal}" is not a signal name like SIGKILL`);
    if (this.options.apiTimeoutMs !== undefined) {
      const t = checks.number(this.options.apiTimeoutMs, 1);
      if (t) problem("apiTimeoutMs", t);
    }
  }

  describe(): string {
    return `kill the Patroni leader among ${this.target} with ${this.signal} (started again on revert, rejoins as a replica)`;
  }

  params(): Record<string, unknown> {
    return { members: [...this.options.members], signal: this.signal };
  }

  /** The service of the current leader, as `/cluster` on the members says. */
  async findLeader(ctx: FaultContext): Promise<{ service: string; member: string }> {
    const urls = this.options.members.map((s) => ctx.topology.endpoint(s, this.apiPort).url());
    const reading = await readCluster(urls, { timeoutMs: this.options.apiTimeoutMs, signal: ctx.signal });
    const leader = reading.cluster.members.find((m) => m.name === reading.leader);
    if (!leader) {
      throw new HarnessError(
        "HARNESS_FAULT_FAILED",
        `Patroni reports no leader among ${this.target} (${reading.from})`,
        {
          hint: "wait for the cluster to elect a leader before this fault (inject it when steady)",
        },
      );
    }
    const service = serviceOfMember(leader, this.options.members);
    if (!service) {
      throw new HarnessError(
        "HARNESS_FAULT_FAILED",
        `Patroni leader ${leader.name} is none of the services ${this.target}`,
        { hint: "name each Patroni member like its compose service, or list the right services in members" },
      );
    }
    return { service, member: leader.name };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const { service, member } = await this.findLeader(ctx);
    const container = ctx.topology.container(service);
    await container.kill(this.signal);
    containerEvent(ctx, service, "killed");
    return {
      data: { leader: member, service },
      heal: (c) => ensureRunning(c, container),
    };
  }
}

/** Kill the current Patroni leader among `members`; revert starts it again. */
export function killLeader(o: KillLeaderOptions): KillLeaderFault {
  return new KillLeaderFault(o);
}
