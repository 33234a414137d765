import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHarnessError } from "../errors.ts";
import { listRunObjects, pingDocker } from "../runtime/docker/index.ts";
import { down, type ProgressEvent, type StartedTopology, up } from "./index.ts";
import { newRunId } from "./run-id.ts";

const fixtureDir = path.resolve(import.meta.dirname, "../../test/fixtures/three-services");
const fixture = path.join(fixtureDir, "compose.yaml");
const dockerUp = await pingDocker().then(
  () => true,
  () => false,
);
// CI sets HARNESS_REQUIRE_DOCKER=1: then a missing daemon fails these tests instead of skipping them.
const suite = dockerUp || process.env.HARNESS_REQUIRE_DOCKER === "1" ? describe : describe.skip;

async function leftovers(runId: string): Promise<number> {
  const o = await listRunObjects(runId);
  return o.containers.length + o.networks.length + o.volumes.length;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

suite("up / down against real Docker", () => {
  let reportsDir = "";
  let scratch = "";
  const runIds: string[] = [];
  const runId = () => {
    const id = `${newRunId()}-t`;
    runIds.push(id);
    return id;
  };

  beforeAll(async () => {
    reportsDir = await mkdtemp(path.join(tmpdir(), "harness-reports-"));
    scratch = await mkdtemp(path.join(tmpdir(), "harness-compose-"));
  });
  afterAll(async () => {
    // Only this file's runs: never other people's objects.
    for (const id of runIds) await down({ runId: id, reportsDir, skipLogs: true }).catch(() => undefined);
    await rm(reportsDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  async function composeFile(name: string, services: string, extra = ""): Promise<string> {
    const file = path.join(scratch, name);
    const head = `name: t-${name.replace(/\W/g, "")}\nx-image: &image\n  image: harness-fixture-three:latest\n  build:\n    context: ${fixtureDir}\n`;
    await writeFile(file, `${head}services:\n${services}${extra}`);
    return file;
  }

  it("starts three services in dependency order, each healthy, and down leaves nothing", async () => {
    const events: ProgressEvent[] = [];
    const id = runId();
    const t0 = performance.now();
    const topo: StartedTopology = await up({ file: fixture, runId: id, reportsDir, onProgress: (e) => events.push(e) });
    console.log(`up of three-services took ${Math.round(performance.now() - t0)} ms`);
    try {
      expect(topo.services()).toEqual(["cache", "web", "edge"]);
      const seq = events.map((e) => `${e.service}:${e.state}`);
      // web starts only once cache is healthy; edge only once web is healthy.
      expect(seq.indexOf("cache:healthy")).toBeLessThan(seq.indexOf("web:starting"));
      expect(seq.indexOf("web:healthy")).toBeLessThan(seq.indexOf("edge:starting"));
      expect(seq).toContain("edge:started");
      // The shared image is built once for the three services.
      expect(
        events.filter((e) => e.state === "building" && !e.detail?.includes("shared") && !e.detail?.startsWith("Step"))
          .length,
      ).toBe(1);

      const cache = await topo.container("cache").inspect();
      const web = await topo.container("web").inspect();
      const edge = await topo.container("edge").inspect();
      expect(cache.health).toBe("healthy");
      expect(web.health).toBe("healthy");
      expect(edge.running).toBe(true);
      expect(Object.keys(edge.ipAddress ?? {})).toEqual(["default"]);

      const url = topo.endpoint("web", 8080).url("/health");
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/health$/);
      expect((await (await fetch(url)).text()).trim()).toBe("ok");

      // Services reach each other by service name.
      const viaDns = await topo.container("edge").exec(["busybox", "wget", "-q", "-O-", "http://web:8080/health"]);
      expect(viaDns.exitCode).toBe(0);
      expect(viaDns.stdout.trim()).toBe("ok");
      const ping = await topo.container("cache").exec(["redis-cli", "ping"]);
      expect(ping).toEqual({ exitCode: 0, stdout: "PONG\n", stderr: "" });
    } finally {
      await topo.down();
    }
    expect(await leftovers(id)).toBe(0);
    const log = await readFile(path.join(reportsDir, id, "logs", "cache.log"), "utf8");
    expect(log).toMatch(/Ready to accept connections/);
    // down is idempotent.
    await topo.down();
  });

  it("refuses a run id that is already in use and leaves that run alone", async () => {
    const id = runId();
    await using topo = await up({ file: fixture, runId: id, reportsDir });
    const error = await up({ file: fixture, runId: id, reportsDir }).catch((e: unknown) => e);
    expect(isHarnessError(error) && error.code).toBe("HARNESS_USAGE");
    expect((error as Error).message).toMatch(/run id '.*' is already in use \(3 containers\)/);
    expect((await topo.container("web").inspect()).running).toBe(true);
  });

  it("kills, pauses, restarts and cuts off a service and observes each state change", async () => {
    const id = runId();
    await using topo = await up({ file: fixture, runId: id, reportsDir });
    const cache = topo.container("cache");
    await cache.kill();
    const killed = await cache.inspect();
    expect(killed.running).toBe(false);
    expect(killed.exitCode).toBe(137);
    await cache.start();
    const back = await until("cache healthy again", async () => {
      const s = await cache.inspect();
      return s.health === "healthy" ? s : undefined;
    });
    expect(back.running).toBe(true);

    const web = topo.container("web");
    await web.pause();
    expect(await web.inspect()).toMatchObject({ paused: true, status: "paused" });
    await web.unpause();
    expect(await web.inspect()).toMatchObject({ paused: false, running: true });

    const edge = topo.container("edge");
    const portBefore = topo.endpoint("edge", 8081).port;
    await edge.restart();
    // The host port is pinned at create time, so a restart keeps the service's address.
    expect(topo.endpoint("edge", 8081).port).toBe(portBefore);
    expect((await edge.inspect()).running).toBe(true);
    // After a restart the published port is read again and answers.
    const res = await until("edge answering after restart", async () => {
      const r = await fetch(topo.endpoint("edge", 8081).url("/health")).catch(() => undefined);
      return r?.ok ? r : undefined;
    });
    expect((await res.text()).trim()).toBe("ok");

    // (busybox wget -T segfaults on Debian bookworm; busybox timeout bounds it instead.)
    await edge.disconnect("default");
    const cut = await edge.exec(["busybox", "timeout", "3", "busybox", "wget", "-q", "-O-", "http://web:8080/health"]);
    expect(cut.exitCode).not.toBe(0);
    await edge.connect("default");
    const healed = await edge.exec([
      "busybox",
      "timeout",
      "5",
      "busybox",
      "wget",
      "-q",
      "-O-",
      "http://web:8080/health",
    ]);
    expect(healed.stdout.trim()).toBe("ok");
    await topo.down();
    expect(await leftovers(id)).toBe(0);
  });

  it("names a service that never gets healthy, quotes its log, and removes everything", async () => {
    const file = await composeFile(
      "sick.yaml",
      `  sick:\n    <<: *image\n    command: ["sh", "-c", "echo booting sick service; echo still booting; sleep 300"]\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      retries: 2\n  after:\n    <<: *image\n    command: ["sleep", "300"]\n    depends_on:\n      sick: {condition: service_healthy}\n`,
    );
    const id = runId();
    const t0 = performance.now();
    const error = await up({ file, runId: id, reportsDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    console.log(`unhealthy service detected in ${Math.round(performance.now() - t0)} ms`);
    expect(isHarnessError(error) && error.code).toBe("HARNESS_TOPOLOGY_UNHEALTHY");
    expect((error as Error).message).toMatch(/service 'sick' is unhealthy/);
    expect((error as Error).message).toMatch(/\| still booting/);
    expect(await leftovers(id)).toBe(0);
  });

  it("applies resource limits to the container", async () => {
    const file = await composeFile(
      "limits.yaml",
      `  capped:\n    <<: *image\n    command: ["sleep", "300"]\n    init: true\n    mem_limit: 64m\n    ulimits:\n      nofile: {soft: 1024, hard: 2048}\n`,
    );
    await using topo = await up({ file, runId: runId(), reportsDir });
    const r = await topo
      .container("capped")
      .exec([
        "sh",
        "-c",
        "ulimit -n; ulimit -Hn; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
      ]);
    expect(r.stdout.trim().split("\n")).toEqual(["1024", "2048", String(64 * 1024 ** 2)]);
  });

  it("names a fixed host port that is already taken and removes everything", async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const file = await composeFile(
        "port.yaml",
        `  web:\n    <<: *image\n    command: ["busybox", "httpd", "-f", "-p", "8080"]\n    ports: ["${port}:8080"]\n`,
      );
      const id = runId();
      const error = await up({ file, runId: id, reportsDir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isHarnessError(error) && error.code).toBe("HARNESS_PORT_IN_USE");
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
      expect(await leftovers(id)).toBe(0);
    } finally {
      server.close();
    }
  });

  it("tears down what it started when aborted mid-start", async () => {
    const controller = new AbortController();
    const id = runId();
    const error = await up({
      file: fixture,
      runId: id,
      reportsDir,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.service === "web" && e.state === "starting") controller.abort(new Error("test abort"));
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHarnessError(error) && error.code).toBe("HARNESS_INTERRUPTED");
    expect(await leftovers(id)).toBe(0);
    expect(existsSync(path.join(reportsDir, id, "logs", "cache.log"))).toBe(true);
  });
});
