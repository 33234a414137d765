import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Toxiproxy } from "toxiproxy-node-client";
import { describe, expect, it } from "vitest";
import { startToxiproxyServer } from "../../harness/toxiproxy/index.ts";
import {
  api,
  apiPortOf,
  dial,
  eventually,
  openSocketCount,
  receiveAll,
  refused,
  roundTripMs,
  sleep,
  startEchoServer,
} from "./fixtures.ts";

/** The server under test with 2 worker processes, and a toxiproxy-node-client pointed at it. */
async function startWithWorkers(config?: { name: string; listen: string; upstream: string }[]) {
  const server = await startToxiproxyServer({ host: "127.0.0.1", port: 0, workers: 2, config });
  return { server, client: new Toxiproxy(server.url), [Symbol.asyncDispose]: () => server.close() };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Worker processes of `pid`: its children running worker.ts (tsx's esbuild service is a child too). */
function workersOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
      if (ppid === pid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("toxiproxy/worker.ts")) {
        found.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe("toxiproxy with 2 worker processes", () => {
  it("echoes through a proxy on :0 and spreads connections over both workers", async () => {
    await using tp = await startWithWorkers();
    await using echo = await startEchoServer();
    expect(tp.server.workerPids).toHaveLength(2);
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const before = tp.server.workerPids.map((pid) => openSocketCount(pid));
    const sockets = await Promise.all(Array.from({ length: 4 }, () => dial(proxy.listen)));
    for (const [i, socket] of sockets.entries()) {
      const rtt = await roundTripMs(socket, `hello ${i}`);
      expect(rtt).toBeLessThan(200);
    }
    // Round-robin: each worker holds 2 connections, 2 sockets each (client and upstream).
    const added = tp.server.workerPids.map((pid, i) => openSocketCount(pid) - (before[i] ?? 0));
    console.log(`sockets added per worker for 4 connections: ${added.join(", ")}`);
    expect(added).toEqual([4, 4]);
    for (const socket of sockets) socket.destroy();
  });

  it("applies a latency toxic to connections opened before it, in every worker, and reset removes it", async () => {
    await using tp = await startWithWorkers();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    const sockets = await Promise.all([dial(proxy.listen), dial(proxy.listen)]);
    for (const socket of sockets) await roundTripMs(socket);
    await proxy.addToxic({
      name: "slow",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 100, jitter: 0 },
    });
    const slow = await Promise.all(sockets.map((s) => roundTripMs(s)));
    console.log(`round trips with a 100 ms toxic: ${slow.map((ms) => ms.toFixed(1)).join(", ")} ms`);
    for (const ms of slow) expect(ms).toBeGreaterThanOrEqual(99);
    for (const ms of slow) expect(ms).toBeLessThan(400);
    // A toxic with toxicity 0 on a fresh connection does nothing.
    await proxy.addToxic({
      name: "never",
      type: "latency",
      stream: "upstream",
      toxicity: 0,
      attributes: { latency: 1000, jitter: 0 },
    });
    expect((await api(tp.server.url, "POST", "/reset")).status).toBe(204);
    expect((await api(tp.server.url, "GET", "/proxies/p/toxics")).json()).toEqual([]);
    const fast = await Promise.all(sockets.map((s) => roundTripMs(s)));
    console.log(`round trips after reset: ${fast.map((ms) => ms.toFixed(1)).join(", ")} ms`);
    for (const ms of fast) expect(ms).toBeLessThan(50);
    for (const socket of sockets) socket.destroy();
  });

  it("closes connections in every worker when disabled, refuses new ones, and keeps toxics for re-enable", async () => {
    await using tp = await startWithWorkers();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({
      name: "slow",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    const sockets = await Promise.all([dial(proxy.listen), dial(proxy.listen)]);
    for (const socket of sockets) await roundTripMs(socket);
    const closed = sockets.map((s) => receiveAll(s));
    const disabled = await api(tp.server.url, "POST", "/proxies/p", { enabled: false });
    expect(disabled.status).toBe(200);
    // The API answered after every worker dropped the proxy: the closes are already under way.
    for (const result of await Promise.all(closed)) expect(result.closedAfterMs).toBeLessThan(500);
    expect(await refused(proxy.listen)).toBe("ECONNREFUSED");
    expect((await api(tp.server.url, "POST", "/proxies/p", { enabled: true })).status).toBe(200);
    const again = await dial(proxy.listen);
    const rtt = await roundTripMs(again);
    console.log(`round trip after re-enable with the 50 ms toxic kept: ${rtt.toFixed(1)} ms`);
    expect(rtt).toBeGreaterThanOrEqual(49);
    again.destroy();
  });

  it("frees the port on delete", async () => {
    await using tp = await startWithWorkers();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "p", listen: "127.0.0.1:0", upstream: echo.address });
    const socket = await dial(proxy.listen);
    await roundTripMs(socket);
    const closed = receiveAll(socket);
    expect((await api(tp.server.url, "DELETE", "/proxies/p")).status).toBe(204);
    expect((await closed).closedAfterMs).toBeLessThan(500);
    const port = Number(proxy.listen.split(":")[1]);
    const other = createServer();
    await new Promise<void>((resolve, reject) => {
      other.once("error", reject);
      other.listen(port, "127.0.0.1", resolve);
    });
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it("serves the proxies of its start-up config through the workers", async () => {
    await using echo = await startEchoServer();
    await using tp = await startWithWorkers([{ name: "c", listen: "127.0.0.1:0", upstream: echo.address }]);
    const listen = (tp.server.proxies.get("c")?.listen ?? "") as string;
    const sockets = await Promise.all([dial(listen), dial(listen)]);
    for (const socket of sockets) expect(await roundTripMs(socket)).toBeLessThan(200);
    for (const socket of sockets) socket.destroy();
  });

  it("leaves no worker process behind after dispose", async () => {
    let pids: readonly number[] = [];
    {
      await using tp = await startWithWorkers();
      pids = tp.server.workerPids;
      expect(pids.every(alive)).toBe(true);
    }
    const left = await eventually(
      () => pids.filter(alive),
      (l) => l.length === 0,
      5_000,
    );
    expect(left).toEqual([]);
    await sleep(0);
  });

  it("runs as `harness toxiproxy --workers 2`: proxies, exits 0 on SIGTERM, and its workers go with it", async () => {
    await using echo = await startEchoServer();
    const dir = await mkdtemp(join(tmpdir(), "harness-toxiproxy-"));
    const config = join(dir, "proxies.json");
    await writeFile(config, JSON.stringify([{ name: "echo", listen: "127.0.0.1:0", upstream: echo.address }]));
    const args = ["bin/harness.mjs", "toxiproxy", "--port", "0", "--workers", "2", "--config", config];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const port = await apiPortOf(child);
      const workers = workersOf(child.pid ?? 0);
      expect(workers).toHaveLength(2);
      const proxy = (await api(`http://127.0.0.1:${port}`, "GET", "/proxies/echo")).json() as { listen: string };
      const sockets = await Promise.all([dial(proxy.listen), dial(proxy.listen)]);
      for (const socket of sockets) expect(await roundTripMs(socket)).toBeLessThan(200);
      const closed = sockets.map((s) => receiveAll(s));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      for (const result of await Promise.all(closed)) expect(result.closedAfterMs).toBeLessThan(5_000);
      expect(workers.filter(alive)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("workers exit on their own when the primary is killed with SIGKILL", async () => {
    const child = spawn(process.execPath, ["bin/harness.mjs", "toxiproxy", "--port", "0", "--workers", "2"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const workers = workersOf(child.pid ?? 0);
      expect(workers).toHaveLength(2);
      child.kill("SIGKILL");
      const left = await eventually(
        () => workers.filter(alive),
        (l) => l.length === 0,
        5_000,
      );
      expect(left).toEqual([]);
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);

  it("refuses --workers 0 with a usage error (exit 2)", async () => {
    const child = spawn(process.execPath, ["bin/harness.mjs", "toxiproxy", "--workers", "0"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("--workers must be 1..64");
  });
});
