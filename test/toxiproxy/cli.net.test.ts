import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { api, apiPortOf, dial, roundTripMs, startEchoServer } from "./fixtures.ts";

describe("harness toxiproxy", () => {
  it("serves the API with the --config proxies and exits 0 on SIGTERM", async () => {
    await using echo = await startEchoServer();
    const dir = await mkdtemp(join(tmpdir(), "harness-toxiproxy-"));
    const config = join(dir, "proxies.json");
    await writeFile(config, JSON.stringify([{ name: "echo", listen: "127.0.0.1:0", upstream: echo.address }]));
    const child = spawn(
      process.execPath,
      ["bin/harness.mjs", "toxiproxy", "--host", "127.0.0.1", "--port", "0", "--config", config],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const port = await apiPortOf(child);
      const base = `http://127.0.0.1:${port}`;
      expect((await api(base, "GET", "/version")).status).toBe(200);
      const proxy = (await api(base, "GET", "/proxies/echo")).json() as { listen: string };
      const socket = await dial(proxy.listen);
      expect(await roundTripMs(socket)).toBeLessThan(100);
      socket.destroy();
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("exits 2 with a usage error on a bad flag, and 2 on an unreadable --config", async () => {
    const runCli = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["bin/harness.mjs", "toxiproxy", ...args], {
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
        });
        child.once("exit", (code) => resolve({ code, stderr }));
      });
    const bad = await runCli(["--port", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("HARNESS_USAGE");
    const missing = await runCli(["--port", "0", "--config", "/nonexistent/proxies.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("HARNESS_CONFIG_INVALID");
  }, 30_000);
});
