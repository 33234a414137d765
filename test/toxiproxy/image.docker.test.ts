import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { api, dial, roundTripMs, startEchoServer } from "./fixtures.ts";

const run = promisify(execFile);
const docker = (...args: string[]) => run("docker", args, { maxBuffer: 64 * 1024 * 1024 });
const runId = `toxiproxy-image-${process.pid}-${Date.now()}`;

async function dockerReachable(): Promise<boolean> {
  try {
    await docker("info", "--format", "{{.ServerVersion}}");
    return true;
  } catch {
    return false;
  }
}

/** Poll every 200 ms until `read` gives a value, at most 15 s. */
async function poll<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 75; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

const reachable = await dockerReachable();
if (!reachable && process.env.HARNESS_REQUIRE_DOCKER === "1") {
  throw new Error("HARNESS_REQUIRE_DOCKER=1 but Docker is unreachable");
}

describe.skipIf(!reachable)("harness/toxiproxy container image", () => {
  it("builds from the repository root and answers the API from a published port, with --config proxies", async () => {
    const tag = "harness/toxiproxy:dev";
    const built = performance.now();
    await docker(
      "build",
      "-q",
      "-f",
      "harness/toxiproxy/Dockerfile",
      "-t",
      tag,
      "--label",
      `io.harness.run=${runId}`,
      ".",
    );
    console.log(`image built in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    await using echo = await startEchoServer();
    const dir = await mkdtemp(join(tmpdir(), "toxiproxy-image-"));
    const config = join(dir, "proxies.json");
    // The container reaches the host's echo server through the host network namespace.
    writeFileSync(config, JSON.stringify([{ name: "echo", listen: "127.0.0.1:0", upstream: echo.address }]));
    const name = runId;
    try {
      await docker(
        "run",
        "-d",
        "--name",
        name,
        "--label",
        `io.harness.run=${runId}`,
        "--network",
        "host",
        "-v",
        `${config}:/etc/toxiproxy.json:ro`,
        tag,
        "node",
        "/opt/toxiproxy/toxiproxy.mjs",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--config",
        "/etc/toxiproxy.json",
      );
      const port = await poll(async () => /"port":(\d+)/.exec((await docker("logs", name)).stdout)?.[1]);
      const base = `http://127.0.0.1:${port}`;
      const version = await api(base, "GET", "/version");
      expect(version.text).toBe('{"version": "2.12.0"}\n');
      const proxy = (await api(base, "GET", "/proxies/echo")).json() as { listen: string };
      await api(base, "POST", "/proxies/echo/toxics", { type: "latency", attributes: { latency: 50 } });
      const socket = await dial(proxy.listen);
      const ms = await roundTripMs(socket);
      socket.destroy();
      console.log(`container proxy from --config: ${proxy.listen}, round trip with 50 ms latency ${ms.toFixed(1)} ms`);
      expect(ms).toBeGreaterThanOrEqual(49);

      // The default command: API on 0.0.0.0:8474 inside, published on 127.0.0.1.
      const published = `${name}-published`;
      await docker(
        "run",
        "-d",
        "--name",
        published,
        "--label",
        `io.harness.run=${runId}`,
        "-p",
        "127.0.0.1:0:8474",
        tag,
      );
      try {
        const mapped = (await docker("port", published, "8474")).stdout.split("\n")[0]?.trim() ?? "";
        const url = `http://${mapped}`;
        const status = await poll(async () =>
          (await fetch(`${url}/version`).catch(() => undefined))?.status === 200 ? 200 : undefined,
        );
        console.log(`default command answers /version at ${url}: ${status}`);
        expect(status).toBe(200);
      } finally {
        await docker("rm", "-f", published).catch(() => {});
      }
    } finally {
      await docker("rm", "-f", name).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
