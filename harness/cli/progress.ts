/**
 * A small live progress display: one line per item (a service, a phase, a fault). On a TTY the
 * lines are redrawn in place; otherwise each state change prints one plain line, so CI logs read
 * top to bottom.
 */
export interface Progress {
  /** Set an item's state; `detail` is shown beside it (on a TTY only, unless the state changed). */
  update(item: string, state: string, detail?: string): void;
  /** Print a line above the live block (or plainly). */
  log(line: string): void;
  /** Draw the final state and stop redrawing. */
  close(): void;
}

export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force redrawing (true) or plain lines (false); default: the stream's isTTY, off when NO_COLOR/CI say so. */
  tty?: boolean;
  /** Milliseconds since start, for the time column; default performance.now(). */
  now?: () => number;
}

interface Line {
  item: string;
  state: string;
  detail: string | undefined;
  /** When the item reached its current state. */
  sinceMs: number;
}

const stateColour: Record<string, string> = {
  healthy: "\x1b[32m",
  started: "\x1b[32m",
  built: "\x1b[32m",
  done: "\x1b[32m",
  failed: "\x1b[31m",
  waiting: "\x1b[33m",
};

export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const tty = opts.tty ?? (Boolean(stream.isTTY) && process.env.TERM !== "dumb" && !process.env.CI);
  const lines: Line[] = [];
  let drawn = 0;
  let closed = false;

  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  const width = (): number => Math.max(40, (stream.columns || 100) - 1);

  const render = (): void => {
    const itemWidth = Math.max(8, ...lines.map((l) => l.item.length));
    let out = drawn > 0 ? `\x1b[${drawn}A` : "";
    for (const l of lines) {
      const colour = stateColour[l.state] ?? "\x1b[36m";
      const head = `${l.item.padEnd(itemWidth)}  ${l.state.padEnd(9)} ${seconds(l.sinceMs - start).padStart(6)}`;
      let detail = l.detail ? `  ${l.detail}` : "";
      const room = width() - head.length;
      if (detail.length > room) detail = room > 1 ? `${detail.slice(0, room - 1)}…` : "";
      const coloured = `${l.item.padEnd(itemWidth)}  ${colour}${l.state.padEnd(9)}\x1b[0m ${head.slice(itemWidth + 2 + 10)}`;
      out += `\x1b[2K${coloured}${detail}\n`;
    }
    drawn = lines.length;
    stream.write(out);
  };

  return {
    update(item, state, detail) {
      if (closed) return;
      let line = lines.find((l) => l.item === item);
      const changed = !line || line.state !== state;
      if (!line) {
        line = { item, state, detail, sinceMs: now() };
        lines.push(line);
      }
      if (changed) line.sinceMs = now();
      line.state = state;
      line.detail = detail;
      if (tty) render();
      else if (changed)
        stream.write(`[${seconds(now() - start).padStart(6)}] ${item}: ${state}${detail ? ` (${detail})` : ""}\n`);
    },
    log(text) {
      if (closed || !tty) {
        stream.write(`${text}\n`);
        return;
      }
      // Clear the live block, print the line, redraw the block under it.
      stream.write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}\x1b[0J${text}\n`);
      drawn = 0;
      if (lines.length > 0) render();
    },
    close() {
      if (closed) return;
      if (tty && lines.length > 0) render();
      closed = true;
    },
  };
}
