import { describe, expect, it } from "vitest";
import { Timeline } from "../timeline/index.ts";
import { GeneratorHealth } from "./health.ts";
import { Recorder } from "./recorder.ts";

const periodMs = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy: the event loop cannot turn.
  }
}

async function lagAfter(stallInPeriod: number): Promise<{ judgedMs: number; recorded: number[] }> {
  const timeline = new Timeline();
  const health = new GeneratorHealth(timeline.clock, new Recorder(timeline), () => 0, periodMs);
  // Periods 0..3; a 400 ms stall inside the given one.
  for (let period = 0; period < 4; period++) {
    await sleep(periodMs / 4);
    if (period === stallInPeriod) block(400);
    await sleep(periodMs);
  }
  const figures = health.stop();
  const recorded = timeline
    .match("generator_event_loop_lag", {})
    .flatMap((s) => (s.toJSON().buckets as { max?: number }[]).map((b) => b.max ?? 0));
  return { judgedMs: figures.maxEventLoopLagMs, recorded };
}

describe("generator health", () => {
  it("judges a stall after the start (a 400 ms block shows as >= 250 ms of lag)", async () => {
    const { judgedMs } = await lagAfter(2);
    console.log(`stall in period 2: judged lag ${judgedMs.toFixed(0)} ms`);
    expect(judgedMs).toBeGreaterThanOrEqual(250);
  });

  it("records but does not judge a stall in the first period (the engine's start)", async () => {
    const { judgedMs, recorded } = await lagAfter(0);
    console.log(`stall in period 0: judged lag ${judgedMs.toFixed(0)} ms, recorded max ${Math.max(...recorded)} ms`);
    expect(Math.max(...recorded)).toBeGreaterThanOrEqual(250);
    expect(judgedMs).toBeLessThan(250);
  });
});
