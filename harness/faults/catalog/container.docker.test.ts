import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerSuiteEnabled, faultsCompose, startFixture } from "../../../test/fixtures/faults/topology.ts";
import { containerState } from "../../probes/container-state.ts";
import { redisInfo } from "../../probes/redis-info.ts";
import { ProbeRunner } from "../../probes/runner.ts";
import { Timeline } from "../../timeline/index.ts";
import type { StartedTopology } from "../../topology/index.ts";
import type { FaultContext } from "../fault.ts";
import { FaultSchedule } from "../schedule.ts";
import { expireKeys } from "./expire-keys.ts";
import { kill } from "./kill.ts";
import { networkDisconnect } from "./network-disconnect.ts";
import { pause } from "./pause.ts";
import { restart } from "./restart.ts";
import { stop } from "./stop.ts";

const suite = (await dockerSuiteEnabled()) ? describe : describe.skip;

suite("container faults against real containers through the topology API", () => {
  let fixture: Awaited<ReturnType<typeof startFixture>>;
  let topology: StartedTopology;
  let timeline: Timeline;
  let ctx: FaultContext;

  beforeAll(async () => {
    fixture = await startFixture(faultsCompose);
    topology = fixture.topology;
    timeline = new Timeline();
    ctx = { topology, toxiproxyUrl: "http://127.0.0.1:1", timeline };
  });

  afterAll(async () => {
    if (fixture) expect(await fixture.remove()).toBe(0);
  });

  const state = () => topology.container("worker").inspect();
  const events = (kind: string) => timeline.events.filter((e) => e.kind === kind);

  it("kills a container with SIGKILL and starts it again on revert", async () => {
    const from = timeline.events.length;
    const injected = await kill({ service: "worker" }).inject(ctx);
    const killed = await state();
    expect(killed.running).toBe(false);
    expect(killed.exitCode).toBe(137);
    await injected.revert("scheduled");
    expect((await state()).running).toBe(true);
    expect(timeline.events.slice(from).map((e) => [e.kind, e.name, e.data?.state ?? e.data?.reason])).toEqual([
      ["container", "worker", "killed"],
      ["fault.inject", "kill-worker", undefined],
      ["container", "worker", "started"],
      ["fault.revert", "kill-worker", "scheduled"],
    ]);
    expect(events("fault.inject").at(-1)!.data).toEqual({
      kind: "kill",
      target: "worker",
      service: "worker",
      signal: "SIGKILL",
    });
  });

  /** Wait (bounded, 10 s) until the worker's PID 1 catches SIGTERM: right after a start its trap is not set yet. */
  async function untilTrapsTerm(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const r = await topology.container("worker").exec(["grep", "SigCgt", "/proc/1/status"]);
      const mask = BigInt(`0x${r.stdout.split(":")[1]?.trim() ?? "0"}`);
      if ((mask >> 14n) & 1n) return;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error("the worker's PID 1 never trapped SIGTERM");
  }

  it("stops a container gracefully and starts it on revert", async () => {
    await untilTrapsTerm();
    const t0 = performance.now();
    await using _ = await stop({ service: "worker", timeoutS: 5 }).inject(ctx);
    const took = performance.now() - t0;
    console.log(`docker stop of a PID 1 that traps SIGTERM took ${took.toFixed(0)} ms`);
    const stopped = await state();
    expect(stopped.running).toBe(false);
    expect(stopped.exitCode).toBe(0);
    expect(took).toBeLessThan(4000);
  });

  it("pauses a container and unpauses it on revert", async () => {
    const injected = await pause({ service: "worker" }).inject(ctx);
    expect((await state()).paused).toBe(true);
    await injected.revert("recovered");
    const after = await state();
    expect(after.paused).toBe(false);
    expect(after.running).toBe(true);
    expect(
      events("container")
        .slice(-2)
        .map((e) => e.data?.state),
    ).toEqual(["paused", "unpaused"]);
  });

  it("restarts a container", async () => {
    const before = await topology.container("worker").exec(["cat", "/proc/1/stat"]);
    await using _ = await restart({ service: "worker" }).inject(ctx);
    const after = await topology.container("worker").exec(["cat", "/proc/1/stat"]);
    expect((await state()).running).toBe(true);
    // A new PID 1 started: its start time (field 22) moved on.
    expect(after.stdout.split(" ")[21]).not.toBe(before.stdout.split(" ")[21]);
  });

  it("expires hot keys through the cache's published port", async () => {
    const redis = topology.container("cache");
    // p:2 is the hot one.
    const seeded = await redis.exec([
      "bash",
      "-c",
      "for k in p:1 p:2 p:3; do redis-cli SET $k v; done; for i in $(seq 20); do redis-cli GET p:2; done",
    ]);
    expect(seeded.exitCode).toBe(0);
    await using _ = await expireKeys({ service: "cache", pattern: "p:*", count: 1 }).inject(ctx);
    const left = await redis.exec(["redis-cli", "--raw", "KEYS", "p:*"]);
    expect(left.stdout.split("\n").filter(Boolean).sort()).toEqual(["p:1", "p:3"]);
  });

  it("the container-state probe sees a fault's kill and the restart, and redis-info reads the cache", async () => {
    const probeTimeline = new Timeline();
    const runner = new ProbeRunner(
      [
        containerState({ services: ["worker", "cache"], intervalMs: 200 }),
        redisInfo({ service: "cache", intervalMs: 200 }),
      ],
      {
        timeline: probeTimeline,
        topology,
      },
    ).start();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const schedule = new FaultSchedule(
        [{ fault: kill({ id: "kill-for-probe", service: "worker" }), at: 0, revert: { after: "1s" } }],
        { tickMs: 50 },
      );
      await schedule.run({ ...ctx, timeline: probeTimeline }, { untilMs: probeTimeline.clock.nowMs() + 10_000 });
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      await runner.stop();
    }
    const seen = probeTimeline.events
      .filter((e) => e.kind === "container" && e.data?.by === "probe")
      .map((e) => `${e.name}:${String(e.data?.state)}`);
    const inject = probeTimeline.events.find((e) => e.kind === "fault.inject")!;
    const observed = probeTimeline.events.find(
      (e) => e.kind === "container" && e.data?.by === "probe" && e.data.state === "killed",
    )!;
    console.log(
      `container-state probe saw ${seen.join(", ")}; kill observed ${(observed.atMs - inject.atMs).toFixed(0)} ms after the inject`,
    );
    expect(seen).toEqual(["worker:killed", "worker:started"]);
    expect(probeTimeline.aggregate({ metric: "container_running", tags: { service: "worker" } })!.min).toBe(0);
    expect(probeTimeline.aggregate({ metric: "container_running", tags: { service: "cache" } })!.min).toBe(1);
    expect(probeTimeline.aggregate({ metric: "container_healthy", tags: { service: "cache" } })!.last).toBe(1);
    expect(
      probeTimeline.aggregate({ metric: "redis_connected_clients", tags: { service: "cache" } })!.last,
    ).toBeGreaterThanOrEqual(1);
    const probeErrors = probeTimeline.events.filter((e) => e.kind === "probe" && e.name.endsWith(".error"));
    if (probeErrors.length > 0)
      console.log("probe errors:", probeErrors.map((e) => `${e.name}: ${String(e.data?.message)}`).join("; "));
    // Errors are data: a slow inspect while Docker starts the container may count one.
    expect(
      probeTimeline.aggregate({ metric: "probe_errors", tags: { probe: "container" } })!.total,
    ).toBeLessThanOrEqual(1);
  });

  // Last: Docker gives a container new ephemeral host ports when it joins a network again, and
  // the topology's endpoint() may still name the old one.
  it("disconnects a service from a network and connects it again on revert", async () => {
    const reach = () =>
      topology.container("worker").exec(["bash", "-c", "timeout 2 bash -c 'echo > /dev/tcp/cache/6379'"]);
    expect((await reach()).exitCode).toBe(0);
    const injected = await networkDisconnect({ service: "cache", network: "back" }).inject(ctx);
    expect(Object.keys((await topology.container("cache").inspect()).ipAddress ?? {})).not.toContain("back");
    expect((await reach()).exitCode).not.toBe(0);
    await injected.revert("scheduled");
    expect(Object.keys((await topology.container("cache").inspect()).ipAddress ?? {})).toContain("back");
    // Found again by its service name.
    expect((await reach()).exitCode).toBe(0);
  });

  it("fails a fault on an unknown service with HARNESS_ exit code 3 or 2 and records nothing", async () => {
    const from = timeline.events.length;
    const err = await kill({ service: "ghost" })
      .inject(ctx)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(/^HARNESS_/) });
    expect((err as Error).message).toMatch(/kill-ghost/);
    expect(timeline.events.length).toBe(from);
  });
});
