import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress } from "./progress.ts";

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean; columns: number }; text: () => string } {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }),
    { isTTY, columns: 100 },
  );
  return { stream, text: () => text };
}

describe("createProgress", () => {
  it("prints one plain line per state change when not on a TTY", () => {
    const out = sink(false);
    let t = 0;
    const p = createProgress({ stream: out.stream, now: () => t });
    p.update("cache", "starting");
    t = 1500;
    p.update("cache", "starting", "still");
    p.update("cache", "healthy");
    p.close();
    expect(out.text()).toBe("[  0.0s] cache: starting\n[  1.5s] cache: healthy\n");
  });

  it("redraws the block in place on a TTY", () => {
    const out = sink(true);
    const p = createProgress({ stream: out.stream, tty: true, now: () => 0 });
    p.update("cache", "starting");
    p.update("web", "waiting", "for cache");
    p.update("cache", "healthy");
    const text = out.text();
    // Second and third draws move the cursor up over the lines drawn before.
    expect(text).toContain("\x1b[1A");
    expect(text).toContain("\x1b[2A");
    expect(text.split("\x1b[2A").at(-1)).toMatch(/cache.*healthy[\s\S]*web.*waiting.*for cache/);
  });
});
