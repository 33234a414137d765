import { type Attributes, nonNegative, type Toxic, type ToxicStage, type ToxicType } from "./toxic.ts";

/**
 * limit_data: lets at most `bytes` through in total (the last chunk is cut), then closes the
 * connection. The count is kept per connection and direction and survives updates.
 */
class LimitDataToxic implements Toxic {
  constructor(private readonly limitBytes: number) {}

  async pipe(stage: ToxicStage): Promise<void> {
    const state = stage.state;
    state.sentBytes ??= 0;
    if (this.limitBytes - state.sentBytes <= 0 && stage.ended) return;
    for (;;) {
      const chunk = await stage.read();
      if (chunk === null) return;
      const remaining = Math.max(0, this.limitBytes - state.sentBytes);
      if (remaining < chunk.data.length) chunk.data = chunk.data.subarray(0, remaining);
      if (chunk.data.length > 0) {
        state.sentBytes += chunk.data.length;
        await stage.write(chunk);
      }
      if (this.limitBytes - state.sentBytes <= 0) {
        stage.close();
        return;
      }
    }
  }
}

export const limitData: ToxicType = {
  attributes: ["bytes"],
  validate: (a: Attributes) => nonNegative(a, "bytes"),
  create: (a: Attributes) => new LimitDataToxic(a.bytes ?? 0),
};
