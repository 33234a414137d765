import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { HarnessError } from "../errors.ts";
import { manualClock } from "./clock.ts";
import { ingestK6File, ingestK6Lines, parseTimeMs, parseTimeParts } from "./ingest-k6.ts";
import { percentile, Timeline } from "./timeline.ts";

const metric = (name: string, type: string, contains = "default", thresholds: string[] = []) =>
  JSON.stringify({ type: "Metric", metric: name, data: { name, type, contains, thresholds, submetrics: null } });
const point = (name: string, time: string, value: number, tags: Record<string, string> = {}) =>
  JSON.stringify({ type: "Point", metric: name, data: { time, value, tags } });

const lines = [
  metric("http_req_duration", "trend", "time", ["p(95)<500"]),
  point("http_req_duration", "2026-11-23T08:08:18.500000000Z", 12.5, { endpoint: "users", url: "http://x/1" }),
  metric("http_req_failed", "rate"),
  point("http_req_failed", "2026-11-23T08:08:18.600000500Z", 0, { endpoint: "users" }),
  point("http_req_failed", "2026-11-23T08:08:19.700000000Z", 1, { endpoint: "errs" }),
  metric("data_sent", "counter", "data"),
  point("data_sent", "2026-11-23T08:08:19.000000000Z", 88, { endpoint: "users" }),
  point("data_sent", "2026-11-23T08:08:20.250000000Z", 12, { endpoint: "users" }),
  metric("vus", "gauge"),
  point("vus", "2026-11-23T08:08:19.100000000Z", 3),
  point("vus", "2026-11-23T08:08:20.100000000Z", 1),
  "",
  point("http_req_duration", "2026-11-23T09:08:18.750000000+01:00", 30, { endpoint: "users", url: "http://x/2" }),
];

describe("k6 NDJSON ingest", () => {
  it("maps k6 points onto run-clock ms from the first point, with types, units and tags", () => {
    const { timeline: t, points, thresholds, wallAnchorMs } = ingestK6Lines(lines);
    expect(points).toBe(8);
    expect(thresholds).toEqual({ http_req_duration: ["p(95)<500"] });
    expect(wallAnchorMs).toBe(Date.parse("2026-11-23T08:08:18.500Z"));
    expect(t.clock.wallAnchorMs).toBe(wallAnchorMs);
    expect(t.endMs).toBeCloseTo(1750, 6);
    expect(t.metrics.get("http_req_duration")).toEqual({ type: "trend", unit: "ms" });
    expect(t.metrics.get("data_sent")).toEqual({ type: "counter", unit: "bytes" });
    expect(t.metrics.get("vus")).toEqual({ type: "gauge", unit: "" });

    const lat = t.aggregate({ metric: "http_req_duration", tags: { endpoint: "users" } })!;
    expect(lat.samples).toBe(2);
    expect(lat.max).toBe(30);
    expect(percentile(lat.histogram!, 0)).toBeCloseTo(12.5, 2);
    expect(t.aggregate({ metric: "http_req_duration", tags: { url: "http://x/2" } })!.samples).toBe(1);

    const errs = t.aggregate({ metric: "http_req_failed", tags: { endpoint: "errs" } })!;
    expect([errs.passes, errs.total]).toEqual([1, 1]);
    expect(t.aggregate({ metric: "http_req_failed", tags: { endpoint: "users" } })!.passes).toBe(0);
    expect(t.aggregate({ metric: "data_sent" })!.total).toBe(100);
    expect(t.aggregate({ metric: "data_sent", windows: [{ fromMs: 0, toMs: 1000 }] })!.total).toBe(88);
    expect(t.aggregate({ metric: "vus" })!.last).toBe(1);
  });

  it("keeps sub-millisecond precision of k6's nanosecond timestamps", () => {
    const { timeline: t } = ingestK6Lines([
      metric("m", "trend", "time"),
      point("m", "2026-11-23T08:08:18.000000001Z", 1),
      point("m", "2026-11-23T08:08:18.599383075Z", 2),
    ]);
    expect(t.endMs).toBeCloseTo(599.383074, 9);
    expect(parseTimeParts("2026-11-23T08:08:18.599383075Z")).toEqual({
      wholeMs: Date.parse("2026-11-23T08:08:18Z"),
      fractionMs: 599.383075,
    });
    expect(parseTimeMs("2026-11-23T09:08:18+01:00")).toBe(parseTimeMs("2026-11-23T08:08:18Z"));
    expect(parseTimeMs("yesterday")).toBeUndefined();
  });

  it("drops the tags it is told to drop (cardinality)", () => {
    const { timeline: t } = ingestK6Lines(lines, { dropTags: ["url"] });
    expect(t.match("http_req_duration")).toHaveLength(1);
    expect(t.match("http_req_duration")[0]!.tags).toEqual({ endpoint: "users" });
  });

  it("adds to an existing timeline on its clock", () => {
    const anchor = Date.parse("2026-11-23T08:08:10Z");
    const t = new Timeline({ clock: manualClock(0, anchor) });
    t.event("phase", "steady", {}, 0);
    const { timeline } = ingestK6Lines(lines, { timeline: t });
    expect(timeline).toBe(t);
    const b = t.aggregate({ metric: "http_req_duration", windows: [{ fromMs: 8000, toMs: 9000 }] })!;
    expect(b.samples).toBe(2);
    expect(t.endMs).toBeCloseTo(10_250, 6);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ["a line that is not JSON", [metric("a", "counter"), "{oops"], /k6 output:2: line is not JSON/],
    [
      "a point before its metric",
      [point("a", "2026-11-23T08:08:18Z", 1)],
      /k6 output:1: line is a Point of a, which no Metric line/,
    ],
    ["an unknown metric type", [metric("a", "histogram")], /k6 output:1: line is a Metric line without name and type/],
    [
      "an unreadable time",
      [metric("a", "counter"), point("a", "18:08", 1)],
      /k6 output:2: line has an unreadable time '18:08'/,
    ],
  ];
  it.each(bad)("rejects %s with the line number", (_what, input, message) => {
    let caught: unknown;
    try {
      ingestK6Lines(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HarnessError);
    expect((caught as HarnessError).code).toBe("HARNESS_RUN_INVALID");
    expect((caught as HarnessError).message).toMatch(message);
  });

  const dir = mkdtempSync(join(tmpdir(), "harness-k6-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("streams a plain or gzipped file, naming it in errors", async () => {
    const plain = join(dir, "run.ndjson");
    const gz = join(dir, "run.ndjson.gz");
    writeFileSync(plain, lines.join("\n"));
    writeFileSync(gz, gzipSync(lines.join("\n")));
    expect((await ingestK6File(plain)).points).toBe(8);
    expect((await ingestK6File(gz)).points).toBe(8);
    const broken = join(dir, "broken.ndjson");
    writeFileSync(broken, `${lines[0]}\nnot json\n`);
    await expect(ingestK6File(broken)).rejects.toThrow(`${broken}:2: line is not JSON`);
    await expect(ingestK6File(join(dir, "missing.ndjson"))).rejects.toThrow(/ENOENT/);
  });
});
