/**
 * npm run bench:topology — how long `up` (warm image cache) and `down` take for the 3-service
 * fixture (test/fixtures/three-services: cache <- web (healthcheck) <- edge, service_healthy).
 *
 * Same-run peer: docker-compose (Debian's 1.29, when installed) running the same file with
 * `up -d` and `down -v`. It waits for service_healthy dependencies too but not for the last
 * service, so its up is a floor rather than an equal. BENCH_ROUNDS (default 3) rounds each.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { down, newRunId, up } from "../harness/topology/index.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const fixtureDir = path.resolve(import.meta.dirname, "../test/fixtures/three-services");
const fixture = path.join(fixtureDir, "compose.yaml");
const reportsDir = mkdtempSync(path.join(tmpdir(), "harness-bench-"));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (xs: number[]): string =>
  `median ${Math.round(median(xs))} ms  (${xs.map((x) => Math.round(x)).join(", ")})`;

async function harnessRounds(): Promise<{ up: number[]; down: number[] }> {
  // Warm the image cache first: the figure is for a warm start.
  const warm = await up({ file: fixture, runId: `${newRunId()}-warm`, reportsDir });
  await warm.down();
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const runId = `${newRunId()}-bench`;
    let t = performance.now();
    const topo = await up({ file: fixture, runId, reportsDir });
    ups.push(performance.now() - t);
    t = performance.now();
    try {
      await topo.down();
    } finally {
      await down({ runId, reportsDir, skipLogs: true });
    }
    downs.push(performance.now() - t);
  }
  return { up: ups, down: downs };
}

function composeRounds(): { up: number[]; down: number[] } | string {
  try {
    execFileSync("docker-compose", ["version"], { stdio: "ignore" });
  } catch {
    return "docker-compose not installed: no peer figure";
  }
  // docker-compose 1.x predates the top-level `name:`; the copy drops it and pins the build context.
  const dir = mkdtempSync(path.join(tmpdir(), "harness-bench-compose-"));
  const text = readFileSync(fixture, "utf8")
    .replace(/^name: .*\n/m, "")
    .replace(/context: \.$/m, `context: ${fixtureDir}`);
  const file = path.join(dir, "compose.yaml");
  writeFileSync(file, text);
  const ups: number[] = [];
  const downs: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const project = `hbench${process.pid}${i}`;
      const args = ["-p", project, "-f", file];
      let t = performance.now();
      try {
        execFileSync("docker-compose", [...args, "up", "-d"], { stdio: "ignore", timeout: 300_000 });
        ups.push(performance.now() - t);
      } finally {
        t = performance.now();
        execFileSync("docker-compose", [...args, "down", "-v", "-t", "10"], { stdio: "ignore", timeout: 300_000 });
        downs.push(performance.now() - t);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { up: ups, down: downs };
}

try {
  const h = await harnessRounds();
  console.log(`harness up   (3 services, warm cache, until all healthy/started): ${fmt(h.up)}`);
  console.log(`harness down (3 services, logs saved):                            ${fmt(h.down)}`);
  const peer = composeRounds();
  if (typeof peer === "string") console.log(peer);
  else {
    console.log(`docker-compose up -d (same file):                                 ${fmt(peer.up)}`);
    console.log(`docker-compose down -v:                                           ${fmt(peer.down)}`);
    console.log(
      `ratio harness/docker-compose: up ${(median(h.up) / median(peer.up)).toFixed(2)}x, down ${(median(h.down) / median(peer.down)).toFixed(2)}x`,
    );
  }
} finally {
  rmSync(reportsDir, { recursive: true, force: true });
}
