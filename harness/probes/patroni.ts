import { isLeaderRole, lagBytes, readCluster, serviceOfMember } from "./patroni-api.ts";
import { needTopology, type Probe, type ProbeContext, type Sampler } from "./probe.ts";

export interface PatroniOptions {
  /** The compose services of the Patroni members (their REST port is published on 127.0.0.1). */
  members?: string[];
  /** Or the members' REST API base URLs directly (tests, external clusters). */
  urls?: string[];
  /** Container port of the REST API. Default 8008. */
  apiPort?: number;
  /** Per-request timeout, ms. Default 1000. */
  timeoutMs?: number;
  /** Sampling interval, ms. Default: the runner's. */
  intervalMs?: number;
}

/**
 * Patroni's view of the cluster through `GET /cluster` on any member:
 * - gauges `patroni_replication_lag_bytes{member}` (0 for the leader), `patroni_member_running{member}`
 *   (1 when its state is running or streaming, 0 otherwise or when it left the list),
 *   `patroni_member_leader{member}` (1 for the leader) and `patroni_timeline{member}`;
 * - the leader as an event: kind `probe`, name `patroni.leader`, data `{ leader, previous }` on
 *   each change (the first reading has `previous: null`; `leader: null` while there is none).
 * Members are named by their compose service when one matches, else by their Patroni name.
 */
export class PatroniProbe implements Probe {
  readonly name = "patroni";
  readonly intervalMs: number | undefined;
  constructor(readonly options: PatroniOptions) {
    this.intervalMs = options.intervalMs;
  }

  validate(): string[] {
    const p: string[] = [];
    const { members, urls } = this.options;
    if ((members === undefined) === (urls === undefined)) p.push("give either members or urls");
    if (members !== undefined && (!Array.isArray(members) || members.length === 0))
      p.push("members must list services");
    if (urls !== undefined && (!Array.isArray(urls) || urls.length === 0)) p.push("urls must list base URLs");
    return p;
  }

  describe(): string {
    return `Patroni /cluster on ${(this.options.members ?? this.options.urls ?? []).join(", ")}: leader, lag, member state`;
  }

  open(ctx: ProbeContext): Sampler {
    const services = this.options.members ?? [];
    const topology = this.options.urls ? undefined : needTopology(ctx, this.name);
    // Resolved at each reading: a restarted member may get a new ephemeral host port.
    const urls = (): string[] =>
      this.options.urls ?? services.map((s) => topology!.endpoint(s, this.options.apiPort ?? 8008).url());
    const timeline = ctx.timeline;
    const timeoutMs = this.options.timeoutMs ?? 1000;
    let leader: string | null | undefined; // undefined: not read yet
    const seen = new Set<string>();
    return {
      sample: async (signal) => {
        const reading = await readCluster(urls(), { timeoutMs, signal });
        const atMs = timeline.clock.nowMs();
        const present = new Set<string>();
        let now: string | null = null;
        for (const m of reading.cluster.members) {
          const member = serviceOfMember(m, services) ?? m.name;
          present.add(member);
          seen.add(member);
          const tags = { member };
          const isLeader = isLeaderRole(m.role);
          if (isLeader) now = member;
          const lag = lagBytes(m);
          if (lag !== undefined)
            timeline.series("patroni_replication_lag_bytes", "gauge", tags, "bytes").gauge(lag, atMs);
          const running = m.state === "running" || m.state === "streaming" ? 1 : 0;
          timeline.series("patroni_member_running", "gauge", tags).gauge(running, atMs);
          timeline.series("patroni_member_leader", "gauge", tags).gauge(isLeader ? 1 : 0, atMs);
          if (typeof m.timeline === "number")
            timeline.series("patroni_timeline", "gauge", tags).gauge(m.timeline, atMs);
        }
        // A member that dropped out of the list (its key expired) is not running.
        for (const member of seen) {
          if (present.has(member)) continue;
          timeline.series("patroni_member_running", "gauge", { member }).gauge(0, atMs);
          timeline.series("patroni_member_leader", "gauge", { member }).gauge(0, atMs);
        }
        if (now !== leader) {
          timeline.event("probe", "patroni.leader", { leader: now, previous: leader ?? null }, atMs);
          leader = now;
        }
      },
    };
  }
}

/** Watch a Patroni cluster: leader changes as events, lag and member state as gauges. */
export function patroni(o: PatroniOptions): PatroniProbe {
  return new PatroniProbe(o);
}
