import { describe, expect, it } from "vitest";
import { isHarnessError } from "../../errors.ts";
import { findExecutable, runProcess, startProcess } from "./spawn.ts";

const node = process.execPath;

describe("runProcess", () => {
  it("returns exit code and output, streaming lines as they come", async () => {
    const lines: string[] = [];
    const r = await runProcess(
      node,
      ["-e", "console.log('a'); console.log('b'); console.error('oops'); process.exit(3)"],
      {
        onStdoutLine: (l) => lines.push(l),
      },
    );
    expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: "a\nb\n", stderr: "oops\n" });
    expect(lines).toEqual(["a", "b"]);
  });

  it("stops a process that outlives its timeout and says so", async () => {
    const t0 = performance.now();
    const error = await runProcess(node, ["-e", "setTimeout(() => {}, 60000)"], { timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    console.log(`stopped after ${Math.round(performance.now() - t0)} ms (timeout 300 ms)`);
    expect(isHarnessError(error) && error.message).toMatch(/did not finish within 300 ms/);
  });

  it("names a command that does not exist", async () => {
    const error = await runProcess("harness-no-such-command", []).catch((e: unknown) => e);
    expect(isHarnessError(error) && error.code).toBe("HARNESS_USAGE");
  });
});

describe("startProcess", () => {
  it("escalates to SIGKILL when SIGTERM is ignored, and disposing stops it", async () => {
    const proc = await startProcess(
      node,
      ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      {
        killGraceMs: 200,
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const result = await proc.stop();
    expect(result.signal).toBe("SIGKILL");
    await proc[Symbol.asyncDispose]();
  });

  it("stops when its abort signal fires", async () => {
    const controller = new AbortController();
    const proc = await startProcess(node, ["-e", "setInterval(() => {}, 1000)"], { signal: controller.signal });
    controller.abort();
    expect((await proc.exited).signal).toBe("SIGTERM");
  });
});

describe("findExecutable", () => {
  it("finds sh on PATH and not a made-up name", async () => {
    expect(await findExecutable("sh")).toMatch(/\/sh$/);
    expect(await findExecutable("harness-no-such-command")).toBeUndefined();
  });
});
