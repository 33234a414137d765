import type { Socket } from "node:net";
import type { SocketReader } from "./socket-reader.ts";
import {
  type Chunk,
  isBufferedToxic,
  isCleanupToxic,
  passThrough,
  type Toxic,
  type ToxicStage,
} from "./toxics/toxic.ts";

/** A toxic as a link sees it: the live definition, updated in place by the API. */
export interface ToxicEntry {
  readonly name: string;
  toxic: Toxic;
  /** Probability (0..1) that the toxic acts on a given connection's stage. */
  toxicity: number;
}

/** What a link needs from its connection. */
export interface LinkOwner {
  /** The end of one direction reached its destination: close that socket (Toxiproxy has no half-close). */
  closeSocket(socket: Socket): void;
  /** Close both sockets with RST. */
  reset(): void;
}

/** Byte counters of one direction, read by /metrics. */
export interface LinkCounters {
  receivedBytes: number;
  sentBytes: number;
}

/** Something a chunk (or the end, null) can be handed to: the next stage or the destination socket. */
interface Inlet {
  accept(chunk: Chunk | null): void | Promise<void>;
}

type Mode = "run" | "restart" | "remove";

/** One toxic on one direction of one connection: an input queue and the loop that runs the toxic. */
class Stage implements ToxicStage, Inlet {
  private readonly buffer: (Chunk | null)[] = [];
  private readonly capacity: number;
  private readonly spaceWaiters: (() => void)[] = [];
  private pendingRead: ((value: Chunk | null | "idle") => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private pendingSleep: { timer: NodeJS.Timeout | undefined; resolve: (done: boolean) => void } | undefined;
  private mode: Mode = "run";
  private outputClosed = false;
  /** After its toxic finished (closed its output or the input ended), the stage drops what arrives. */
  private dropping = false;
  interrupted = false;
  ended = false;
  readonly state: Record<string, number> = {};

  constructor(
    private readonly link: Link,
    readonly entry: ToxicEntry,
  ) {
    this.capacity = isBufferedToxic(entry.toxic) ? entry.toxic.bufferChunks : 0;
  }

  accept(chunk: Chunk | null): void | Promise<void> {
    if (this.dropping) return;
    const reader = this.pendingRead;
    if (reader !== undefined && !this.interrupted) {
      this.pendingRead = undefined;
      if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
      if (chunk === null) this.ended = true;
      reader(chunk);
      return;
    }
    this.buffer.push(chunk);
    if (this.buffer.length > this.capacity) return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  private take(): Chunk | null | undefined {
    if (this.buffer.length === 0) return undefined;
    const chunk = this.buffer.shift() as Chunk | null;
    this.releaseSpace();
    if (chunk === null) this.ended = true;
    return chunk;
  }

  private releaseSpace(): void {
    const excess = Math.max(0, this.buffer.length - this.capacity);
    while (this.spaceWaiters.length > excess) this.spaceWaiters.shift()?.();
  }

  read(): Promise<Chunk | null> {
    if (this.interrupted || this.ended) return Promise.resolve(null);
    const chunk = this.take();
    if (chunk !== undefined) return Promise.resolve(chunk);
    return new Promise((resolve) => {
      this.pendingRead = resolve as (value: Chunk | null | "idle") => void;
    });
  }

  readWithin(idleMs: number): Promise<Chunk | null | "idle"> {
    if (this.interrupted || this.ended) return Promise.resolve(null);
    const chunk = this.take();
    if (chunk !== undefined) return Promise.resolve(chunk);
    return new Promise((resolve) => {
      this.pendingRead = resolve;
      this.idleTimer = setTimeout(() => {
        this.pendingRead = undefined;
        resolve("idle");
      }, idleMs);
    });
  }

  write(chunk: Chunk): void | Promise<void> {
    if (this.outputClosed) return;
    return this.link.after(this).accept(chunk);
  }

  sleep(ms: number): Promise<boolean> {
    if (this.interrupted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const sleeping: { timer: NodeJS.Timeout | undefined; resolve: (done: boolean) => void } = {
        timer: undefined,
        resolve,
      };
      this.pendingSleep = sleeping;
      // An endless sleep (bandwidth 0) sets no timer: only an interrupt ends it.
      if (!Number.isFinite(ms)) return;
      const wakeAt = performance.now() + ms;
      // Node truncates delays to whole ms and measures from a cached loop time, so timers fire up to
      // ~1 ms early: re-arm for what is left, and finish the last fraction on the next loop turn.
      const check = () => {
        if (this.pendingSleep !== sleeping) return;
        const leftMs = wakeAt - performance.now();
        if (leftMs <= 0.02) {
          this.pendingSleep = undefined;
          resolve(true);
        } else if (leftMs >= 1) {
          sleeping.timer = setTimeout(check, leftMs);
        } else {
          sleeping.timer = undefined;
          setImmediate(check);
        }
      };
      sleeping.timer = setTimeout(check, ms);
    });
  }

  close(): void {
    if (this.outputClosed) return;
    this.outputClosed = true;
    void this.link.after(this).accept(null);
  }

  reset(): void {
    this.link.owner.reset();
  }

  /** Stop the running toxic: it returns at its next read or sleep. */
  interrupt(mode: Mode): void {
    if (this.mode !== "remove") this.mode = mode;
    this.interrupted = true;
    const reader = this.pendingRead;
    if (reader !== undefined) {
      this.pendingRead = undefined;
      if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
      reader(null);
    }
    const sleeping = this.pendingSleep;
    if (sleeping !== undefined) {
      this.pendingSleep = undefined;
      if (sleeping.timer !== undefined) clearTimeout(sleeping.timer);
      sleeping.resolve(false);
    }
  }

  /** The connection is gone: stop and let every waiting writer go. */
  kill(): void {
    this.dropping = true;
    this.interrupt("remove");
    this.buffer.length = 0;
    for (const release of this.spaceWaiters.splice(0)) release();
  }

  async run(): Promise<void> {
    for (;;) {
      this.interrupted = false;
      this.mode = "run";
      const { toxic, toxicity } = this.entry;
      // Toxicity is drawn each time the stage (re)starts: per connection and direction.
      const active = toxicity >= 1 || Math.random() < toxicity;
      try {
        await (active ? toxic.pipe(this) : passThrough(this));
      } catch {
        // A toxic that throws ends its connection rather than the server.
        this.link.owner.reset();
        return;
      }
      if (this.link.dead) return;
      // interrupt() may have changed the mode while the toxic ran.
      const mode = this.mode as Mode;
      if (mode === "restart") continue;
      if (mode === "remove") {
        this.interrupted = false;
        if (active && isCleanupToxic(toxic)) toxic.cleanup(this);
        await this.leave();
        return;
      }
      // The toxic returned by itself: pass the end on (if it has not closed already) and drop the rest.
      if (this.ended) this.close();
      this.finish();
      return;
    }
  }

  private finish(): void {
    this.dropping = true;
    this.buffer.length = 0;
    for (const release of this.spaceWaiters.splice(0)) release();
  }

  /** Removed: flush what is queued to the next stage in order, then unlink once empty. */
  private async leave(): Promise<void> {
    if (this.outputClosed) {
      this.finish();
      return;
    }
    for (;;) {
      const chunk = this.take();
      if (chunk === undefined) break;
      if (chunk === null) {
        this.close();
        this.finish();
        return;
      }
      await this.link.after(this).accept(chunk);
      if (this.link.dead) return;
    }
    // Empty at this instant: unlink synchronously so nothing can slip in behind.
    this.link.unlink(this);
  }
}

/**
 * One direction of one connection: source socket -> toxic stages in creation order -> destination
 * socket. With no stages, data goes straight from socket to socket (the hot path).
 */
export class Link implements Inlet {
  private stages: Stage[] = [];
  private sourceEnded = false;
  private holds = 0;
  private drainWaiter: Promise<void> | undefined;
  dead = false;

  constructor(
    private readonly source: Socket,
    private readonly reader: SocketReader,
    private readonly destination: Socket,
    readonly owner: LinkOwner,
    private readonly counters: LinkCounters,
    toxics: readonly ToxicEntry[],
  ) {
    for (const entry of toxics) this.addToxic(entry);
  }

  /** Start moving data: call once the destination is connected. */
  start(): void {
    const source = this.source;
    const resume = () => {
      if (--this.holds === 0 && !source.destroyed) source.resume();
    };
    this.reader.attach(source, (data: Buffer) => {
      this.counters.receivedBytes += data.length;
      const first = this.stages[0];
      const pending =
        first === undefined ? this.writeDestination(data) : first.accept({ data, timeMs: performance.now() });
      if (pending !== undefined) {
        this.holds++;
        source.pause();
        pending.then(resume);
      }
    });
    source.on("end", () => this.endSource());
    source.on("close", () => this.endSource());
    source.resume();
  }

  private endSource(): void {
    if (this.sourceEnded) return;
    this.sourceEnded = true;
    void (this.stages[0] ?? this).accept(null);
  }

  /** The destination as an inlet: the last stage hands chunks here. */
  accept(chunk: Chunk | null): void | Promise<void> {
    if (chunk === null) {
      this.owner.closeSocket(this.destination);
      return;
    }
    return this.writeDestination(chunk.data);
  }

  private writeDestination(data: Buffer): void | Promise<void> {
    const destination = this.destination;
    if (destination.destroyed || this.dead) return;
    this.counters.sentBytes += data.length;
    if (destination.write(data)) return;
    this.drainWaiter ??= new Promise<void>((resolve) => {
      const done = () => {
        destination.off("drain", done);
        destination.off("close", done);
        this.drainWaiter = undefined;
        resolve();
      };
      destination.on("drain", done);
      destination.on("close", done);
    });
    return this.drainWaiter;
  }

  /** What comes after a stage: the next stage or the destination. */
  after(stage: Stage): Inlet {
    const index = this.stages.indexOf(stage);
    return (index >= 0 ? this.stages[index + 1] : undefined) ?? this;
  }

  unlink(stage: Stage): void {
    this.stages = this.stages.filter((s) => s !== stage);
  }

  /** Append a toxic; it acts on data read from now on. */
  addToxic(entry: ToxicEntry): void {
    if (this.dead || this.sourceEnded) return;
    const stage = new Stage(this, entry);
    this.stages.push(stage);
    void stage.run();
  }

  /** Restart a toxic's stage with the entry's new toxic and toxicity (a fresh draw). */
  updateToxic(entry: ToxicEntry): void {
    this.stages.find((s) => s.entry === entry)?.interrupt("restart");
  }

  /** Remove a toxic: what it holds goes on to the next stage, then it leaves the chain. */
  removeToxic(entry: ToxicEntry): void {
    this.stages.find((s) => s.entry === entry)?.interrupt("remove");
  }

  /** The connection is gone: stop every stage. */
  kill(): void {
    this.dead = true;
    for (const stage of this.stages) stage.kill();
    this.stages = [];
  }
}
