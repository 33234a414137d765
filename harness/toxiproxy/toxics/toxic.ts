/**
 * The toxic contract: a toxic pipes chunks from its stage's input to its output, one direction of
 * one connection. Optional capabilities (a deeper input buffer, cleanup on removal, validation)
 * sit beside it and are found by type guards.
 */

/** One piece of data read from a socket. */
export interface Chunk {
  data: Buffer;
  /** When the chunk was read (performance.now() ms), moved forward by the latency already applied upstream. */
  timeMs: number;
}

/** A toxic's view of its place in a link: its input, its output, the connection it belongs to. */
export interface ToxicStage {
  /** The next chunk, or null when the input ended (`ended`) or the stage was interrupted (`interrupted`). */
  read(): Promise<Chunk | null>;
  /** Like read(), but resolves "idle" after `idleMs` without input. */
  readWithin(idleMs: number): Promise<Chunk | null | "idle">;
  /** Hand a chunk to the next stage; await the result for back-pressure. */
  write(chunk: Chunk): void | Promise<void>;
  /** Wait `ms`; resolves false at once when the stage is interrupted. */
  sleep(ms: number): Promise<boolean>;
  /** End this direction's output: the connection closes when the end reaches the socket. */
  close(): void;
  /** Close both sockets of the connection with RST (SO_LINGER 0). */
  reset(): void;
  /** True once the stage was told to stop (toxic updated or removed, connection gone). */
  readonly interrupted: boolean;
  /** True once the input reached its end. */
  readonly ended: boolean;
  /** Per-connection numbers that survive updates of this toxic (used by stateful toxics). */
  readonly state: Record<string, number>;
}

/** A toxic: moves chunks from input to output until the input ends or the stage is interrupted. */
export interface Toxic {
  pipe(stage: ToxicStage): Promise<void>;
}

/** Capability: a toxic that needs more than one chunk queued at its input (latency reads ahead). */
export interface BufferedToxic extends Toxic {
  /** How many chunks may wait at the input before the writer is held back. */
  readonly bufferChunks: number;
}

/** Capability: a toxic with an effect on removal (timeout closes the connections it holds). */
export interface CleanupToxic extends Toxic {
  cleanup(stage: ToxicStage): void;
}

export function isBufferedToxic(toxic: Toxic): toxic is BufferedToxic {
  return typeof (toxic as Partial<BufferedToxic>).bufferChunks === "number";
}

export function isCleanupToxic(toxic: Toxic): toxic is CleanupToxic {
  return typeof (toxic as Partial<CleanupToxic>).cleanup === "function";
}

/** Toxic attributes: every attribute of every toxic type is an integer, 0 when absent. */
export type Attributes = Record<string, number>;

/** A toxic type: its attribute names, its value checks and its factory. */
export interface ToxicType {
  /** Attribute names in the order the API prints them. */
  readonly attributes: readonly string[];
  /** Problems with the values (each a sentence), empty when valid. Guards values the Go server crashes or stalls on. */
  validate(attributes: Attributes): string[];
  create(attributes: Attributes): Toxic;
}

/** Pass every chunk through unchanged: what an inactive toxic (toxicity not drawn) does. */
export async function passThrough(stage: ToxicStage): Promise<void> {
  for (;;) {
    const chunk = await stage.read();
    if (chunk === null) return;
    await stage.write(chunk);
  }
}

/** A validation helper: the named attributes must not be negative. */
export function nonNegative(attributes: Attributes, ...names: string[]): string[] {
  return names.filter((n) => (attributes[n] ?? 0) < 0).map((n) => `${n} must not be negative`);
}
