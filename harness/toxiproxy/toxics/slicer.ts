import { type Attributes, nonNegative, type Toxic, type ToxicStage, type ToxicType } from "./toxic.ts";

/**
 * slicer: cuts each chunk into pieces of about `average_size` bytes (± `size_variation`), sent
 * `delay` µs apart.
 */
class SlicerToxic implements Toxic {
  constructor(
    private readonly averageSizeBytes: number,
    private readonly sizeVariationBytes: number,
    private readonly delayUs: number,
  ) {}

  /** Cut points of [start, end): split at the midpoint moved by a random offset until pieces are small enough. */
  cuts(start: number, end: number, out: number[]): void {
    if (end - start - this.averageSizeBytes <= this.sizeVariationBytes) {
      out.push(end);
      return;
    }
    let mid = start + Math.floor((end - start) / 2);
    const variation = this.sizeVariationBytes;
    if (variation > 0) mid += Math.floor(Math.random() * 2 * variation) - variation;
    // Keep both halves non-empty: a wide variation must not cut outside the chunk.
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    this.cuts(start, mid, out);
    this.cuts(mid, end, out);
  }

  async pipe(stage: ToxicStage): Promise<void> {
    const delayMs = this.delayUs / 1000;
    for (;;) {
      const chunk = await stage.read();
      if (chunk === null) return;
      const ends: number[] = [];
      this.cuts(0, chunk.data.length, ends);
      let from = 0;
      for (const to of ends) {
        if (delayMs > 0 && !(await stage.sleep(delayMs))) {
          await stage.write({ data: chunk.data.subarray(from), timeMs: chunk.timeMs });
          return;
        }
        await stage.write({ data: chunk.data.subarray(from, to), timeMs: chunk.timeMs });
        from = to;
      }
    }
  }
}

export const slicer: ToxicType = {
  attributes: ["average_size", "size_variation", "delay"],
  validate(a: Attributes) {
    const problems = nonNegative(a, "average_size", "size_variation", "delay");
    // The Go server recurses without end here; a piece must be allowed to hold at least one byte.
    if (problems.length === 0 && (a.average_size ?? 0) + (a.size_variation ?? 0) < 1) {
      problems.push("average_size + size_variation must be at least 1");
    }
    return problems;
  },
  create: (a: Attributes) => new SlicerToxic(a.average_size ?? 0, a.size_variation ?? 0, a.delay ?? 0),
};
