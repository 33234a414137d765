import { type Attributes, nonNegative, type Toxic, type ToxicStage, type ToxicType } from "./toxic.ts";

/**
 * bandwidth: limits one direction of one connection to `rate` KB/s (1 KB = 1000 B). Chunks above
 * rate*100 bytes go out in rate*100-byte pieces every 100 ms. Rate 0 holds all data (a stalled link).
 */
class BandwidthToxic implements Toxic {
  constructor(private readonly rateKBps: number) {}

  async pipe(stage: ToxicStage): Promise<void> {
    const rate = this.rateKBps;
    // Time owed for bytes already sent; the timer's overshoot is paid back on the next chunk.
    let debtMs = 0;
    for (;;) {
      const chunk = await stage.read();
      if (chunk === null) return;
      if (rate <= 0) {
        // Hold the data until the toxic changes; then let it go rather than drop it.
        await stage.sleep(Number.POSITIVE_INFINITY);
        await stage.write(chunk);
        return;
      }
      debtMs += chunk.data.length / rate;
      const piece = rate * 100;
      while (chunk.data.length > piece) {
        if (!(await stage.sleep(100))) {
          await stage.write(chunk);
          return;
        }
        await stage.write({ data: chunk.data.subarray(0, piece), timeMs: chunk.timeMs });
        chunk.data = chunk.data.subarray(piece);
        debtMs -= 100;
      }
      const start = performance.now();
      if (debtMs > 0 && !(await stage.sleep(debtMs))) {
        await stage.write(chunk);
        return;
      }
      debtMs -= performance.now() - start;
      await stage.write(chunk);
    }
  }
}

export const bandwidth: ToxicType = {
  attributes: ["rate"],
  validate: (a: Attributes) => nonNegative(a, "rate"),
  create: (a: Attributes) => new BandwidthToxic(a.rate ?? 0),
};
