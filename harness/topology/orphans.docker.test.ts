import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listRunObjects, pingDocker } from "../runtime/docker/index.ts";
import { down, sweepOrphans, up } from "./index.ts";
import { newRunId } from "./run-id.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const fixture = path.join(repo, "test/fixtures/three-services/compose.yaml");
const dockerUp = await pingDocker().then(
  () => true,
  () => false,
);
const suite = dockerUp || process.env.HARNESS_REQUIRE_DOCKER === "1" ? describe : describe.skip;

async function count(runId: string): Promise<number> {
  const o = await listRunObjects(runId);
  return o.containers.length + o.networks.length + o.volumes.length;
}

suite("sweepOrphans", () => {
  it("removes a run whose harness process was killed with SIGKILL, and leaves live and detached runs alone", async () => {
    const reportsDir = await mkdtemp(path.join(tmpdir(), "harness-orphans-"));
    const dead = `${newRunId()}-k`;
    // A harness process that starts a topology and is then killed -9: nothing of it can clean up.
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("${path.join(repo, "harness/topology/index.ts")}").then(async (t) => {
          await t.up({ file: ${JSON.stringify(fixture)}, runId: ${JSON.stringify(dead)}, reportsDir: ${JSON.stringify(reportsDir)} });
          console.log("UP"); setInterval(() => {}, 1000);
        })`,
      ],
      { cwd: repo, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the child never came up")), 240_000);
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("UP")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("close", r));
    expect(await count(dead)).toBeGreaterThan(0);

    const live = `${newRunId()}-l`;
    const detached = `${newRunId()}-d`;
    const liveTopology = await up({ file: fixture, runId: live, reportsDir });
    const detachedTopology = await up({ file: fixture, runId: detached, reportsDir, detached: true });
    try {
      const swept = await sweepOrphans({ reportsDir });
      console.log(`swept runs ${swept.runs.join(", ")}: ${swept.containers} containers, ${swept.networks} networks`);
      expect(swept.runs).toContain(dead);
      expect(swept.runs).not.toContain(live);
      expect(swept.runs).not.toContain(detached);
      expect(await count(dead)).toBe(0);
      expect(await count(live)).toBeGreaterThan(0);
      expect(await count(detached)).toBeGreaterThan(0);
    } finally {
      await liveTopology.down();
      await detachedTopology.down();
      await down({ runId: dead, reportsDir });
    }
  }, 600_000);
});
