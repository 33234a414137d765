import { type Attributes, nonNegative, type Toxic, type ToxicStage, type ToxicType } from "./toxic.ts";

/**
 * reset_peer: waits for the first chunk (or the end) in its direction, drops it, waits `timeout` ms,
 * then closes both sockets with RST so peers see ECONNRESET.
 */
class ResetPeerToxic implements Toxic {
  constructor(private readonly timeoutMs: number) {}

  async pipe(stage: ToxicStage): Promise<void> {
    const chunk = await stage.read();
    if (chunk === null && stage.interrupted) return;
    if (this.timeoutMs > 0 && !(await stage.sleep(this.timeoutMs))) return;
    stage.reset();
  }
}

export const resetPeer: ToxicType = {
  attributes: ["timeout"],
  validate: (a: Attributes) => nonNegative(a, "timeout"),
  create: (a: Attributes) => new ResetPeerToxic(a.timeout ?? 0),
};
