import { type Attributes, type BufferedToxic, nonNegative, type ToxicStage, type ToxicType } from "./toxic.ts";

/** latency: each chunk leaves `latency` ms (± `jitter` ms, uniform) after it was read; delays overlap, order is kept. */
class LatencyToxic implements BufferedToxic {
  // Reading ahead lets delays overlap, so latency does not cap throughput.
  readonly bufferChunks = 1024;
  constructor(
    private readonly latencyMs: number,
    private readonly jitterMs: number,
  ) {}

  private delayMs(): number {
    if (this.jitterMs <= 0) return this.latencyMs;
    return this.latencyMs + Math.floor(Math.random() * 2 * this.jitterMs) - this.jitterMs;
  }

  async pipe(stage: ToxicStage): Promise<void> {
    for (;;) {
      const chunk = await stage.read();
      if (chunk === null) return;
      const sleepMs = this.delayMs() - (performance.now() - chunk.timeMs);
      if (sleepMs > 0 && !(await stage.sleep(sleepMs))) {
        // Interrupted: forward at once rather than drop data.
        await stage.write(chunk);
        return;
      }
      // Stacked latency toxics add up because the next one measures from the moved time.
      chunk.timeMs += sleepMs;
      await stage.write(chunk);
    }
  }
}

export const latency: ToxicType = {
  attributes: ["latency", "jitter"],
  validate: (a: Attributes) => nonNegative(a, "latency", "jitter"),
  create: (a: Attributes) => new LatencyToxic(a.latency ?? 0, a.jitter ?? 0),
};
