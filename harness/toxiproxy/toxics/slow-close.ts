import { type Attributes, nonNegative, type Toxic, type ToxicStage, type ToxicType } from "./toxic.ts";

/** slow_close: data passes untouched; when the input ends, the close is held back `delay` ms. */
class SlowCloseToxic implements Toxic {
  constructor(private readonly delayMs: number) {}

  async pipe(stage: ToxicStage): Promise<void> {
    for (;;) {
      const chunk = await stage.read();
      if (chunk === null) {
        if (stage.ended) await stage.sleep(this.delayMs);
        return;
      }
      await stage.write(chunk);
    }
  }
}

export const slowClose: ToxicType = {
  attributes: ["delay"],
  validate: (a: Attributes) => nonNegative(a, "delay"),
  create: (a: Attributes) => new SlowCloseToxic(a.delay ?? 0),
};
