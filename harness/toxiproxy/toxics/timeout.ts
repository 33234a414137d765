import { type Attributes, type CleanupToxic, nonNegative, type ToxicStage, type ToxicType } from "./toxic.ts";

/**
 * timeout: drops all data. With `timeout` above 0 ms the connection closes after that long without
 * input (each dropped chunk restarts the clock); with 0 it is held open forever. Removing it closes
 * the connections it held.
 */
class TimeoutToxic implements CleanupToxic {
  constructor(private readonly timeoutMs: number) {}

  async pipe(stage: ToxicStage): Promise<void> {
    for (;;) {
      const next = this.timeoutMs > 0 ? await stage.readWithin(this.timeoutMs) : await stage.read();
      if (next === "idle") {
        stage.close();
        return;
      }
      if (next === null) {
        if (stage.ended) stage.close();
        return;
      }
      // Data is dropped on the floor.
    }
  }

  cleanup(stage: ToxicStage): void {
    stage.close();
  }
}

export const timeout: ToxicType = {
  attributes: ["timeout"],
  validate: (a: Attributes) => nonNegative(a, "timeout"),
  create: (a: Attributes) => new TimeoutToxic(a.timeout ?? 0),
};
