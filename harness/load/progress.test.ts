import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../timeline/index.ts";
import { formatProgress, progressPrinter, readProgress } from "./progress.ts";

describe("progress", () => {
  it("reads the last finished interval off the timeline", () => {
    const clock = manualClock();
    const t = new Timeline({ clock });
    t.event("phase", "steady", {}, 0);
    const lat = t.series("http_req_duration", "trend", { endpoint: "/a" }, "ms");
    const reqs = t.series("http_reqs", "counter", { endpoint: "/a" });
    const failed = t.series("http_req_failed", "rate", { endpoint: "/a" });
    for (let i = 0; i < 100; i++) {
      lat.trend(i < 99 ? 2 : 400, 1000 + i * 10);
      reqs.count(1, 1000 + i * 10);
      failed.rate(i === 99, 1000 + i * 10);
    }
    const p = readProgress(t, 2500, 0, 60_000, 3);
    expect(p).toMatchObject({ elapsedMs: 2500, phase: "steady", reqPerS: 100, errors: 1, inFlight: 3, late: 0 });
    expect(p.p50Ms).toBeCloseTo(2, 1);
    expect(formatProgress(p)).toBe("2.5s/60s steady 100 req/s p50 2.0ms p99 2.0ms err 1 inflight 3");
  });

  it("prints plain lines every period when not on a TTY, and rewrites one line on a TTY", () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const snap = (elapsedMs: number) => ({
      elapsedMs,
      plannedMs: 30_000,
      phase: undefined,
      reqPerS: 10,
      p50Ms: undefined,
      p99Ms: undefined,
      errors: 0,
      inFlight: 0,
      late: 0,
      dropped: 2,
    });
    const plain = progressPrinter(stream, 10_000);
    for (let s = 1; s <= 25; s++) plain.onProgress(snap(s * 1000));
    expect(out).toEqual([
      "1.0s/30s - 10 req/s p50 - p99 - err 0 inflight 0 dropped 2\n",
      "11.0s/30s - 10 req/s p50 - p99 - err 0 inflight 0 dropped 2\n",
      "21.0s/30s - 10 req/s p50 - p99 - err 0 inflight 0 dropped 2\n",
    ]);
    out.length = 0;
    const live = progressPrinter({ isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream);
    live.onProgress(snap(1000));
    live.end();
    expect(out).toEqual(["\r\x1b[2K1.0s/30s - 10 req/s p50 - p99 - err 0 inflight 0 dropped 2", "\n"]);
  });
});
