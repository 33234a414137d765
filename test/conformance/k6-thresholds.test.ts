import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../harness/errors.ts";
import { ingestK6File } from "../../harness/timeline/ingest-k6.ts";
import { evaluate, exitCodeFor, parseThresholds, type ThresholdsConfig } from "../../harness/verdict/index.ts";

/**
 * Conformance (STYLE habit 11): our verdict is held to k6's own verdict on k6's own samples.
 * The fixture is a real k6 v0.48.0 run (exit 99: a threshold crossed), copied from
 * ../shared/fixtures/k6/run-1 so a fresh clone has it.
 */
const dir = new URL("../fixtures/k6/run-1/", import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, dir), "utf8");

interface K6SummaryMetric {
  thresholds?: Record<string, boolean>;
  [stat: string]: unknown;
}
const summary = JSON.parse(read("summary.json")) as { metrics: Record<string, K6SummaryMetric> };
const stdout = read("stdout.txt");

/** The script's `thresholds` object, read from script.js itself so the test cannot drift from it. */
function scriptThresholds(): ThresholdsConfig {
  const src = read("script.js");
  const m = /thresholds:\s*(\{[\s\S]*?\n\s*\}),/.exec(src);
  if (!m) throw new Error("no thresholds object in script.js");
  return new Function(`return (${m[1]});`)() as ThresholdsConfig;
}

/** k6's own samples of a metric (optionally one tag), for order statistics. */
function rawValues(metric: string, tag?: [string, string]): number[] {
  const lines = gunzipSync(readFileSync(new URL("run.ndjson.gz", dir)))
    .toString("utf8")
    .split("\n");
  const out: number[] = [];
  for (const l of lines) {
    if (!l.includes('"Point"')) continue;
    const p = JSON.parse(l) as { metric: string; data: { value: number; tags: Record<string, string> } };
    if (p.metric !== metric) continue;
    if (tag && p.data.tags[tag[0]] !== tag[1]) continue;
    out.push(p.data.value);
  }
  return out.sort((a, b) => a - b);
}

/**
 * k6 interpolates between the order statistics around pct*(n-1); our HdrHistogram returns the
 * recorded value at a rank (3 significant digits, µs integers). Agreement means: inside the
 * neighbouring order statistics, widened by the histogram's precision.
 */
function expectPercentileConforms(ours: number, sorted: number[], pct: number, k6Value?: number): void {
  const i = (pct / 100) * (sorted.length - 1);
  const lo = sorted[Math.max(0, Math.floor(i) - 1)]!;
  const hi = sorted[Math.min(sorted.length - 1, Math.ceil(i) + 1)]!;
  const eps = (v: number): number => Math.max(0.001, v * 0.001);
  console.log(
    `p(${pct}): harness ${ours} ms, k6 ${k6Value ?? "(not in summary)"} ms, order statistics [${lo}, ${hi}] ms`,
  );
  expect(ours).toBeGreaterThanOrEqual(lo - eps(lo));
  expect(ours).toBeLessThanOrEqual(hi + eps(hi));
  if (k6Value !== undefined) expect(Math.abs(ours - k6Value)).toBeLessThanOrEqual(hi - lo + eps(hi));
}

describe("k6 conformance: run-1 (k6 v0.48.0, exit 99)", async () => {
  const ingest = await ingestK6File(new URL("run.ndjson.gz", dir).pathname);
  const thresholds = scriptThresholds();
  const verdict = evaluate(ingest.timeline, thresholds, { scenarioFile: "test/fixtures/k6/run-1/script.js" });
  const byKey = (metric: string, expression: string) =>
    verdict.thresholds.find((t) => t.metric === metric && t.expression === expression)!;

  it("ingests every Point line and the thresholds k6 listed on its Metric lines", () => {
    const lines = gunzipSync(readFileSync(new URL("run.ndjson.gz", dir)))
      .toString("utf8")
      .split("\n");
    expect(ingest.points).toBe(lines.filter((l) => l.includes('"type":"Point"')).length);
    expect(ingest.thresholds).toEqual({ http_req_duration: ["p(95)<500", "p(99)<1000"], checks: ["rate>0.9"] });
    expect(ingest.timeline.metrics.get("http_req_duration")).toEqual({ type: "trend", unit: "ms" });
    expect(ingest.timeline.metrics.get("data_sent")).toEqual({ type: "counter", unit: "bytes" });
  });

  it("judges every threshold of the script as k6 did (summary.json: true = crossed)", () => {
    const expected: Array<[string, string, "pass" | "fail"]> = [];
    for (const [metric, exprs] of Object.entries(summary.metrics)) {
      for (const [expr, crossed] of Object.entries(exprs.thresholds ?? {})) {
        expected.push([metric, expr, crossed ? "fail" : "pass"]);
      }
    }
    expect(expected).toHaveLength(parseThresholds(thresholds).length);
    for (const [metric, expr, status] of expected) {
      const r = byKey(metric, expr);
      console.log(`${metric} ${expr}: k6 ${status}, harness ${r.status} (observed ${r.observed} ${r.unit})`);
      expect(r.status).toBe(status);
    }
  });

  it("fails the run on the same metrics k6 named as crossed, exit code fail (k6: 99)", () => {
    const m = /thresholds on metrics '([^']+)' have been crossed/.exec(stdout);
    expect(m).not.toBeNull();
    const k6Crossed = m![1]!.split(",").map((s) => s.trim());
    const ours = [...new Set(verdict.thresholds.filter((t) => t.status === "fail").map((t) => t.metric))];
    expect(ours.sort()).toEqual(k6Crossed.sort());
    expect(verdict.status).toBe("fail");
    expect(verdict.invalidReasons).toEqual([]);
    expect(exitCodeFor(verdict)).toBe(ExitCode.sloFailed);
  });

  it("reads rates exactly as k6 summed them", () => {
    const errs = summary.metrics["http_req_failed{endpoint:errs}"]!;
    expect(byKey("http_req_failed{endpoint:errs}", "rate<0.01").observed).toBe(errs.value);
    expect(byKey("checks", "rate>0.9").observed).toBe(summary.metrics.checks!.value);
  });

  it("reads trend statistics within HdrHistogram precision of k6's", () => {
    const k6 = summary.metrics.http_req_duration!;
    const sorted = rawValues("http_req_duration");
    const probe = evaluate(ingest.timeline, {
      http_req_duration: ["avg<0", "min<0", "max<0", "med<0", "p(90)<0", "p(95)<0", "p(99)<0", "p(99.9)<0"],
    });
    const got = (expr: string) => probe.thresholds.find((t) => t.expression === expr)!.observed!;
    console.log(`avg ${got("avg<0")} vs ${k6.avg}; min ${got("min<0")} vs ${k6.min}; max ${got("max<0")} vs ${k6.max}`);
    expect(got("avg<0")).toBeCloseTo(k6.avg as number, 9);
    expect(got("min<0")).toBe(k6.min);
    expect(got("max<0")).toBe(k6.max);
    expectPercentileConforms(got("med<0"), sorted, 50, k6.med as number);
    expectPercentileConforms(got("p(90)<0"), sorted, 90, k6["p(90)"] as number);
    expectPercentileConforms(got("p(95)<0"), sorted, 95, k6["p(95)"] as number);
    expectPercentileConforms(got("p(99)<0"), sorted, 99);
    expectPercentileConforms(got("p(99.9)<0"), sorted, 99.9);
  });

  it("reads counters as k6 counted them", () => {
    const probe = evaluate(ingest.timeline, { http_reqs: ["count<0"], data_received: ["count<0"] });
    expect(probe.thresholds[0]!.observed).toBe(summary.metrics.http_reqs!.count);
    expect(probe.thresholds[1]!.observed).toBe(summary.metrics.data_received!.count);
  });

  it("reads a tag-filtered trend like k6's expected_response submetric", () => {
    const k6 = summary.metrics["http_req_duration{expected_response:true}"]!;
    const probe = evaluate(ingest.timeline, { "http_req_duration{expected_response:true}": ["max<0", "p(95)<0"] });
    expect(probe.thresholds[0]!.observed).toBe(k6.max);
    const sorted = rawValues("http_req_duration", ["expected_response", "true"]);
    expectPercentileConforms(probe.thresholds[1]!.observed!, sorted, 95, k6["p(95)"] as number);
  });
});
