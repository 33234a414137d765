import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRunObjects, pingDocker } from "../../harness/runtime/docker/index.ts";
import { down } from "../../harness/topology/index.ts";

const bin = path.resolve(import.meta.dirname, "../../bin/harness.mjs");
const fixture = path.resolve(import.meta.dirname, "../fixtures/three-services/compose.yaml");
const dockerUp = await pingDocker().then(
  () => true,
  () => false,
);
const suite = dockerUp || process.env.HARNESS_REQUIRE_DOCKER === "1" ? describe : describe.skip;

async function leftovers(runId: string): Promise<number> {
  const o = await listRunObjects(runId);
  return o.containers.length + o.networks.length + o.volumes.length;
}

suite("harness up / ps / down through the CLI", () => {
  let cwd = "";
  const runIds: string[] = [];
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), "harness-cli-docker-"));
  });
  afterAll(async () => {
    for (const id of runIds) await down({ runId: id, skipLogs: true }).catch(() => undefined);
    await rm(cwd, { recursive: true, force: true });
  });

  const harness = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", timeout: 300_000 });

  it("up records the current run, ps lists its services healthy, down removes every labelled object", async () => {
    const runId = `r-cli-${Date.now().toString(36)}`;
    runIds.push(runId);
    const t0 = performance.now();
    const upped = harness(["up", "-f", fixture, "--run-id", runId]);
    console.log(`harness up (CLI, warm cache) took ${Math.round(performance.now() - t0)} ms`);
    expect(upped.status, upped.stderr).toBe(0);
    expect(upped.stdout).toContain(`run ${runId} (three-services) is up: 3 services`);
    expect(upped.stdout).toMatch(/web {2}8080\/tcp -> 127\.0\.0\.1:\d+/);
    // Not a TTY: one plain line per state change.
    expect(upped.stderr).toMatch(/\] cache: healthy\n/);
    expect(upped.stderr).toMatch(/\] edge: started\n/);
    const current = JSON.parse(await readFile(path.join(cwd, ".harness/current-run.json"), "utf8"));
    expect(current).toMatchObject({ runId, project: "three-services", file: fixture });

    const listed = harness(["ps"]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^SERVICE\s+STATE\s+HEALTH\s+PORTS/);
    expect(listed.stdout).toMatch(/\ncache\s+running\s+healthy\s+-/);
    expect(listed.stdout).toMatch(/\nweb\s+running\s+healthy\s+127\.0\.0\.1:\d+->8080\/tcp/);
    expect(listed.stdout).toMatch(/\nedge\s+running\s+-\s+127\.0\.0\.1:\d+->8081\/tcp/);

    const removed = harness(["down"]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`removed run ${runId}: 3 containers, 1 networks, 1 volumes`);
    expect(await leftovers(runId)).toBe(0);
    expect(existsSync(path.join(cwd, "reports", runId, "logs", "web.log"))).toBe(true);
    expect(existsSync(path.join(cwd, ".harness/current-run.json"))).toBe(false);
  });

  it("doctor reports Docker, the base image, ports and disk as ok", async () => {
    const r = harness(["doctor", "--json", "-f", fixture]);
    expect(r.status, r.stdout).toBe(0);
    const checks = JSON.parse(r.stdout) as Array<{ name: string; status: string; detail: string }>;
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.docker?.status).toBe("ok");
    expect(byName.docker?.detail).toMatch(/^Docker \S+ \(API [\d.]+\)/);
    expect(byName["base image"]?.status).toBe("ok");
    expect(byName.ports?.status).toBe("ok");
    expect(byName.disk?.detail).toMatch(/GiB free/);
  });

  it("SIGINT during up tears down what was started and exits 130", async () => {
    const runId = `r-int-${Date.now().toString(36)}`;
    runIds.push(runId);
    const child = spawn(process.execPath, [bin, "up", "-f", fixture, "--run-id", runId], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let sent = false;
    let sentAtMs = 0;
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      // Mid-start: cache is up, web is starting, edge is not yet created.
      if (!sent && /\] web: starting/.test(stderr)) {
        sent = true;
        sentAtMs = performance.now();
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    console.log(`up exited ${Math.round(performance.now() - sentAtMs)} ms after SIGINT`);
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/error HARNESS_INTERRUPTED: up of three-services \(run r-int-[^)]+\) was interrupted/);
    expect(await leftovers(runId)).toBe(0);
  });
});
