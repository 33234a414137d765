import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerSuiteEnabled, patroniCompose, startFixture } from "../../../test/fixtures/faults/topology.ts";
import { containerState } from "../../probes/container-state.ts";
import { patroni } from "../../probes/patroni.ts";
import { readCluster } from "../../probes/patroni-api.ts";
import { ProbeRunner } from "../../probes/runner.ts";
import { Timeline, type TimelineEvent } from "../../timeline/index.ts";
import type { StartedTopology } from "../../topology/index.ts";
import { killLeader } from "./kill-leader.ts";

// For the lead: this needs the webstack db image (PostgreSQL 15 + Patroni 3 + etcd) and about a
// minute of a 3-member cluster; it is the real-Patroni test of kill-leader and the patroni probe.
const suite = (await dockerSuiteEnabled()) ? describe : describe.skip;
const members = ["db1", "db2", "db3"];

/** Poll (every 200 ms, at most `timeoutMs`) until `fn` returns a value. */
async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

suite("kill-leader and the patroni probe against a real Patroni cluster", () => {
  let fixture: Awaited<ReturnType<typeof startFixture>>;
  let topology: StartedTopology;

  beforeAll(async () => {
    const t0 = performance.now();
    fixture = await startFixture(patroniCompose, { healthTimeoutMs: 180_000 });
    topology = fixture.topology;
    console.log(`patroni cluster up and healthy in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, 400_000);

  afterAll(async () => {
    if (fixture) expect(await fixture.remove()).toBe(0);
  });

  it("kills the current leader, the probe sees another take over, and the old one rejoins as a replica on revert", async () => {
    const timeline = new Timeline();
    const runner = new ProbeRunner(
      [patroni({ members, intervalMs: 500 }), containerState({ services: members, intervalMs: 500 })],
      {
        timeline,
        topology,
      },
    ).start();
    const leaders = () => timeline.events.filter((e) => e.kind === "probe" && e.name === "patroni.leader");
    try {
      const first = await until(
        "a leader and two running replicas",
        async () => {
          const r = await readCluster(members.map((m) => topology.endpoint(m, 8008).url())).catch(() => undefined);
          // Patroni 3.0 (Debian bookworm) says "running" for a replica; later versions say "streaming".
          const replicas =
            r?.cluster.members.filter((m) => m.name !== r.leader && (m.state === "streaming" || m.state === "running"))
              .length ?? 0;
          return r?.leader && replicas === 2 && leaders().length > 0 ? r.leader : undefined;
        },
        120_000,
      );
      expect(leaders().at(-1)!.data).toMatchObject({ leader: first });

      const fault = killLeader({ members });
      const injected = await fault.inject({ topology, toxiproxyUrl: "", timeline });
      const inject = timeline.events.find((e) => e.kind === "fault.inject")!;
      expect(inject.data).toMatchObject({
        kind: "kill-leader",
        target: "db1,db2,db3",
        leader: first,
        service: first,
        signal: "SIGKILL",
      });
      expect((await topology.container(first).inspect()).running).toBe(false);

      const change = await until<TimelineEvent>(
        "a new leader",
        () => leaders().find((e) => e.atMs > inject.atMs && e.data?.leader && e.data.leader !== first),
        60_000,
      );
      console.log(
        `failover: ${first} -> ${String(change.data?.leader)} seen ${((change.atMs - inject.atMs) / 1000).toFixed(1)} s after the kill`,
      );

      await injected.revert("recovered");
      const revertAt = timeline.clock.nowMs();
      // Patroni's own word: its /replica answers 200 only while PostgreSQL runs there as a replica.
      await until(
        "the old leader back as a replica",
        async () => {
          const url = topology.endpoint(first, 8008).url("/replica");
          const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
          await res?.body?.cancel();
          return res?.status === 200 ? true : undefined;
        },
        90_000,
      );
      console.log(
        `${first} rejoined as a replica ${((timeline.clock.nowMs() - revertAt) / 1000).toFixed(1)} s after the revert`,
      );
      await new Promise((r) => setTimeout(r, 1200));
    } finally {
      await runner.stop();
    }
    const lag = timeline.aggregate({ metric: "patroni_replication_lag_bytes", tags: { member: "db2" } });
    expect(lag?.samples).toBeGreaterThan(0);
    const probeSaw = timeline.events
      .filter((e) => e.kind === "container" && e.data?.by === "probe")
      .map((e) => `${e.name}:${String(e.data?.state)}`);
    console.log("container-state probe saw:", probeSaw.join(", "));
    expect(probeSaw).toContain(
      `${String(timeline.events.find((e) => e.kind === "fault.inject")!.data?.leader)}:killed`,
    );
    expect(timeline.aggregate({ metric: "probe_errors", tags: { probe: "patroni" } })!.total).toBeLessThanOrEqual(2);
  }, 300_000);
});
