import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { Dependency, Unavailable } from "./dependency.ts";

const failing = () => Promise.reject(Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" }));

describe("Dependency breaker", () => {
  it("refuses other calls at once while the half-open trial call is in flight", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const dep = new Dependency("shard1", { timeoutMs: 300, breaker: true, breakerFailures: 2, halfOpenAfterMs: 50 });
    for (let i = 0; i < 2; i++) await dep.call(failing).catch(() => {});
    expect(dep.state()).toBe("open");
    await sleep(60);
    // The trial call hangs until the 300 ms timeout; a second caller must not wait for it.
    const trial = dep.call((signal) => new Promise((_, reject) => signal.addEventListener("abort", reject)));
    expect(dep.state()).toBe("half-open");
    const startedMs = performance.now();
    const refused = await dep.call(() => Promise.resolve("ok")).catch((e: unknown) => e);
    const waitedMs = performance.now() - startedMs;
    console.log(`second call during half-open refused after ${waitedMs.toFixed(1)} ms`);
    expect(refused).toBeInstanceOf(Unavailable);
    expect((refused as Unavailable).reason).toBe("open");
    expect(waitedMs).toBeLessThan(150);
    await expect(trial).rejects.toBeInstanceOf(Unavailable);
    expect(dep.state()).toBe("open");
    vi.restoreAllMocks();
  });
});
