import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../timeline/index.ts";
import type { Probe, Sampler } from "./probe.ts";
import { ProbeRunner } from "./runner.ts";

function fakeProbe(
  name: string,
  read: (n: number) => Promise<void> | void,
  intervalMs?: number,
): Probe & { closed: number } {
  const p = {
    name,
    intervalMs,
    closed: 0,
    validate: () => [],
    describe: () => name,
    open(): Sampler {
      let n = 0;
      return {
        sample: async () => {
          await read(n++);
        },
        close: async () => {
          p.closed++;
        },
      };
    },
  };
  return p;
}

function setup() {
  const clock = manualClock();
  const timeline = new Timeline({ clock });
  return { clock, timeline };
}

describe("ProbeRunner", () => {
  it("samples a probe at its interval on the timeline's clock", async () => {
    const { clock, timeline } = setup();
    const seen: number[] = [];
    const runner = new ProbeRunner(
      [fakeProbe("a", () => void seen.push(clock.nowMs()))],
      { timeline },
      {
        sleep: async (ms) => clock.advance(ms),
        maxSamples: 4,
      },
    ).start();
    await runner.finished();
    expect(seen).toEqual([0, 1000, 2000, 3000]);
  });

  it("runs each probe in its own loop at its own interval until stopped", async () => {
    const timeline = new Timeline();
    const counts = { fast: 0, slow: 0 };
    const runner = new ProbeRunner(
      [fakeProbe("fast", () => void counts.fast++, 50), fakeProbe("slow", () => void counts.slow++, 200)],
      { timeline },
    ).start();
    await new Promise((r) => setTimeout(r, 620));
    await runner.stop();
    const after = { ...counts };
    await new Promise((r) => setTimeout(r, 150));
    console.log("readings in 620 ms: fast (50 ms) =", after.fast, "slow (200 ms) =", after.slow);
    expect(after.fast).toBeGreaterThanOrEqual(8);
    expect(after.fast).toBeLessThanOrEqual(14);
    expect(after.slow).toBeGreaterThanOrEqual(3);
    expect(after.slow).toBeLessThanOrEqual(4);
    // Nothing runs after stop.
    expect(counts).toEqual(after);
  });

  it("counts a failed reading in probe_errors and keeps sampling", async () => {
    const { clock, timeline } = setup();
    const probe = fakeProbe("flaky", (n) => {
      if (n % 2 === 1) throw new Error("connection refused");
    });
    const runner = new ProbeRunner([probe], { timeline }, { sleep: async (ms) => clock.advance(ms), maxSamples: 6 });
    await runner.start().finished();
    expect(runner.samples().flaky).toBe(6);
    expect(timeline.aggregate({ metric: "probe_errors", tags: { probe: "flaky" } })!.total).toBe(3);
    const errors = timeline.events.filter((e) => e.name === "flaky.error");
    // One event per change of message, not one per failure.
    expect(errors).toHaveLength(3);
    expect(errors[0]!.data).toEqual({ message: "connection refused" });
    expect(probe.closed).toBe(1);
  });

  it("declares probe_errors at zero so a clean probe is measured", async () => {
    const { clock, timeline } = setup();
    const runner = new ProbeRunner(
      [fakeProbe("ok", () => {})],
      { timeline },
      {
        sleep: async (ms) => clock.advance(ms),
        maxSamples: 3,
      },
    );
    await runner.start().finished();
    const agg = timeline.aggregate({ metric: "probe_errors", tags: { probe: "ok" } })!;
    expect(agg.samples).toBeGreaterThan(0);
    expect(agg.total).toBe(0);
  });

  it("abandons a reading that overruns its timeout and skips the missed slots", async () => {
    const timeline = new Timeline();
    const started: number[] = [];
    const probe = fakeProbe(
      "slow",
      async (n) => {
        started.push(Math.round(timeline.clock.nowMs()));
        if (n === 0) await new Promise((r) => setTimeout(r, 1000));
      },
      100,
    );
    const runner = new ProbeRunner([probe], { timeline }, { sampleTimeoutMs: 250 }).start();
    await new Promise((r) => setTimeout(r, 700));
    await runner.stop();
    console.log("slow probe readings started at ms:", started.join(", "));
    expect(timeline.aggregate({ metric: "probe_errors", tags: { probe: "slow" } })!.total).toBe(1);
    // The second reading starts on the grid after the abandoned one (~300 ms), not bunched at 100, 200.
    expect(started[1]).toBeGreaterThanOrEqual(240);
    expect(started.length).toBeLessThanOrEqual(7);
  });

  it("rejects invalid probes, every problem at once", () => {
    const bad: Probe = { ...fakeProbe("x", () => {}), validate: () => ["targets missing", "metrics missing"] };
    expect(
      () => new ProbeRunner([bad, fakeProbe("y", () => {}), fakeProbe("y", () => {})], { timeline: new Timeline() }),
    ).toThrow(/probe x: targets missing; probe x: metrics missing; probe y: named twice/);
  });
});
