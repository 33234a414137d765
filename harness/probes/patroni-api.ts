/**
 * Patroni's REST API `GET /cluster` (Patroni 3): the members, their role, state and lag.
 * Shared by the patroni probe and the kill-leader fault.
 */

/** One member as `/cluster` lists it. `lag` is bytes behind the leader, absent or "unknown" when not known. */
export interface PatroniMember {
  name: string;
  role: string;
  state: string;
  api_url?: string;
  host?: string;
  port?: number;
  timeline?: number;
  lag?: number | string;
}

export interface PatroniCluster {
  members: PatroniMember[];
  scope?: string;
}

/** A reading of the cluster: who answered, and what it said. */
export interface ClusterReading {
  /** The URL that answered. */
  from: string;
  cluster: PatroniCluster;
  /** Name of the member whose role is `leader` (or `standby_leader`), undefined while there is none. */
  leader: string | undefined;
}

/** Roles Patroni gives the member that leads (a standby cluster's leader included). */
const LEADER_ROLES = new Set(["leader", "master", "primary", "standby_leader"]);

export function isLeaderRole(role: string): boolean {
  return LEADER_ROLES.has(role);
}

/**
 * Ask each URL's `/cluster` in turn (each with `timeoutMs`, default 2000) and return the first
 * answer; throws listing every failure when none answers.
 */
export async function readCluster(
  baseUrls: readonly string[],
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ClusterReading> {
  const failures: string[] = [];
  for (const base of baseUrls) {
    const url = `${base.replace(/\/+$/, "")}/cluster`;
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 2000)];
      if (options.signal) signals.push(options.signal);
      const res = await fetch(url, { signal: AbortSignal.any(signals) });
      const text = await res.text();
      if (res.status !== 200) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const cluster = parseCluster(text);
      const leader = cluster.members.find((m) => isLeaderRole(m.role))?.name;
      return { from: url, cluster, leader };
    } catch (cause) {
      failures.push(`${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }
  throw new Error(`no Patroni member answered /cluster (${failures.join("; ")})`);
}

/** Parse and check a `/cluster` body. */
export function parseCluster(text: string): PatroniCluster {
  const json = JSON.parse(text) as unknown;
  if (typeof json !== "object" || json === null || !Array.isArray((json as PatroniCluster).members)) {
    throw new Error("not a Patroni /cluster answer (no members array)");
  }
  const members = (json as PatroniCluster).members.map((m) => {
    if (typeof m?.name !== "string" || typeof m.role !== "string") {
      throw new Error("not a Patroni /cluster answer (a member without name or role)");
    }
    return { ...m, state: typeof m.state === "string" ? m.state : "unknown" };
  });
  return { ...(json as PatroniCluster), members };
}

/** The lag in bytes, when Patroni knows it. */
export function lagBytes(member: PatroniMember): number | undefined {
  if (isLeaderRole(member.role)) return 0;
  return typeof member.lag === "number" && Number.isFinite(member.lag) ? member.lag : undefined;
}

/**
 * The compose service of a Patroni member: its name when that is one of `services`, else the
 * host of its `api_url` or `host` when that is one.
 */
export function serviceOfMember(member: PatroniMember, services: readonly string[]): string | undefined {
  if (services.includes(member.name)) return member.name;
  for (const raw of [member.api_url, member.host]) {
    if (!raw) continue;
    let host = raw;
    try {
      host = new URL(raw).hostname;
    } catch {
      // `host` is a bare name or address, not a URL
    }
    if (services.includes(host)) return host;
  }
  return undefined;
}
