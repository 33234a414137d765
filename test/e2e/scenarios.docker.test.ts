import { existsSync } from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../harness/report/types.ts";
import type { TimelineJSON } from "../../harness/timeline/types.ts";
import { harness, harnessRun, readJson, runDirOf } from "./harness-cli.ts";

const docker = new Docker();
const dockerUp = await docker.ping().then(
  () => true,
  () => false,
);
if (!dockerUp && process.env.HARNESS_REQUIRE_DOCKER === "1") {
  throw new Error("HARNESS_REQUIRE_DOCKER=1 but Docker is unreachable: run scripts/setup-docker.sh");
}

async function labelledLeft(runId: string): Promise<number> {
  const filters = { label: [`io.harness.run=${runId}`] };
  const [c, n, v] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return c.length + n.length + (v.Volumes?.length ?? 0);
}

describe.runIf(dockerUp)("harness run failover-primary (real webstack)", () => {
  it("passes on the reference target: the kill, the leader change, the error spike and the recovery are on the timeline", async () => {
    const started = Date.now();
    const { code, stdout } = await harnessRun(["run", "failover-primary"]);
    const dir = runDirOf(stdout);
    const summary = readJson<RunSummary>(path.join(dir, "summary.json"));
    const timeline = readJson<TimelineJSON>(path.join(dir, "timeline.json"));
    const seconds = (Date.now() - started) / 1000;
    console.log(`failover-primary: exit ${code} in ${seconds.toFixed(0)} s`);
    for (const t of summary.verdict.thresholds)
      console.log(`  ${t.status} ${t.metric} ${t.expression} observed ${t.observed}`);
    expect(code, stdout).toBe(0);
    expect(summary.verdict.status).toBe("pass");
    const kinds = timeline.events.map((e) => `${e.kind}/${e.name}`);
    expect(kinds.some((k) => k.startsWith("fault.inject/"))).toBe(true);
    expect(kinds.some((k) => k.startsWith("fault.revert/"))).toBe(true);
    const leaders = timeline.events.filter((e) => e.kind === "probe" && e.name === "patroni.leader");
    expect(new Set(leaders.map((e) => e.data?.leader).filter(Boolean)).size).toBeGreaterThanOrEqual(2);
    const recovery = summary.verdict.thresholds.find((t) => t.metric === "recovery_time");
    expect(recovery?.observed).toBeGreaterThan(0);
    for (const f of ["report.html", "summary.md", "timeline.json", "summary.json"])
      expect(existsSync(path.join(dir, f))).toBe(true);
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);

  it("fails on recovery (not something incidental) when the app pins the first primary (DB_FAILOVER=off)", async () => {
    const { code, stdout } = await harnessRun(["run", "failover-primary", "--env", "DB_FAILOVER=off", "--gate"]);
    const dir = runDirOf(stdout);
    const summary = readJson<RunSummary>(path.join(dir, "summary.json"));
    for (const t of summary.verdict.thresholds)
      console.log(`  ${t.status} ${t.metric} ${t.expression} observed ${t.observed}`);
    expect(code, stdout).toBe(1);
    const failed = summary.verdict.thresholds.filter((t) => t.status === "fail").map((t) => t.metric);
    expect(failed.some((m) => m === "recovery_time" || m === "lost_writes")).toBe(true);
    expect(existsSync(path.join(dir, "junit.xml"))).toBe(true);
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);

  it("on Ctrl-C in the fault phase reverts the fault, removes the containers and writes an aborted report (exit 130)", async () => {
    const run = harness(["run", "failover-primary"]);
    await run.waitFor(/fault\.inject/, 300_000);
    run.child.kill("SIGINT");
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(130);
    const dir = runDirOf(stdout);
    const summary = readJson<RunSummary>(path.join(dir, "summary.json"));
    expect(summary.verdict.status).toBe("aborted");
    const timeline = readJson<TimelineJSON>(path.join(dir, "timeline.json"));
    const revert = timeline.events.find((e) => e.kind === "fault.revert");
    expect(revert?.data?.reason).toBe("signal");
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);
});

describe.runIf(dockerUp)("harness run cache-stampede (real webstack)", () => {
  it("passes with stampede protection: about one origin query per expired hot key", async () => {
    const { code, stdout } = await harnessRun(["run", "cache-stampede", "--gate"]);
    const summary = readJson<RunSummary>(path.join(runDirOf(stdout), "summary.json"));
    const gate = summary.verdict.thresholds.find((t) => t.metric === "stampede_db_queries");
    console.log(`cache-stampede, protection on: exit ${code}, ${gate?.observed} origin queries per expired key`);
    expect(code, stdout).toBe(0);
    expect(gate?.observed).toBeGreaterThan(0);
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);

  it("fails on stampede_db_queries when the protection is off (STAMPEDE_PROTECTION=off)", async () => {
    const { code, stdout } = await harnessRun(["run", "cache-stampede", "--env", "STAMPEDE_PROTECTION=off"]);
    const summary = readJson<RunSummary>(path.join(runDirOf(stdout), "summary.json"));
    const gate = summary.verdict.thresholds.find((t) => t.metric === "stampede_db_queries");
    console.log(`cache-stampede, protection off: exit ${code}, ${gate?.observed} origin queries per expired key`);
    expect(code, stdout).toBe(1);
    expect(summary.verdict.thresholds.filter((t) => t.status === "fail").map((t) => t.metric)).toEqual([
      "stampede_db_queries",
    ]);
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);
});

describe.runIf(dockerUp)("harness run circuit-breaker (real webstack)", () => {
  it("passes with the breaker: it opens within seconds of the slowdown and the failures are fast", async () => {
    const started = Date.now();
    const { code, stdout } = await harnessRun(["run", "circuit-breaker", "--gate"]);
    const summary = readJson<RunSummary>(path.join(runDirOf(stdout), "summary.json"));
    const open = summary.verdict.thresholds.find((t) => t.metric === "breaker_open_time");
    const fast = summary.verdict.thresholds.find((t) => t.metric === "fail_fast_p99");
    console.log(
      `circuit-breaker, breaker on: exit ${code} in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
        `open after ${open?.observed} ms, failed p99 ${fast?.observed} ms`,
    );
    expect(code, stdout).toBe(0);
    expect(open).toMatchObject({ status: "pass" });
    expect(open?.observed).toBeGreaterThan(0);
    expect(fast).toMatchObject({ status: "pass" });
    expect(fast?.observed).toBeGreaterThan(0);
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);

  it("fails on the breaker checks when the breaker is off (CIRCUIT_BREAKER=off): never opened, failures wait for the timeout", async () => {
    const { code, stdout } = await harnessRun(["run", "circuit-breaker", "--env", "CIRCUIT_BREAKER=off"]);
    const summary = readJson<RunSummary>(path.join(runDirOf(stdout), "summary.json"));
    for (const t of summary.verdict.thresholds)
      console.log(`  ${t.status} ${t.metric} ${t.expression} observed ${t.observed} ${t.reason ?? ""}`);
    expect(code, stdout).toBe(1);
    expect(summary.verdict.thresholds.filter((t) => t.status === "fail").map((t) => t.metric)).toEqual([
      "breaker_open_time",
      "fail_fast_p99",
    ]);
    const open = summary.verdict.thresholds.find((t) => t.metric === "breaker_open_time");
    expect(open?.observedAtLeast).toBe(true);
    expect(open?.reason).toMatch(/no breaker of shard1 was seen open/);
    // Each failure waited for the app's 1 s dependency timeout (DB_TIMEOUT_MS).
    const fast = summary.verdict.thresholds.find((t) => t.metric === "fail_fast_p99");
    expect(fast?.observed).toBeGreaterThan(900);
    expect(await labelledLeft(summary.runId)).toBe(0);
  }, 600_000);
});
