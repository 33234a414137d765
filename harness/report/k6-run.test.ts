import { describe, expect, it } from "vitest";
import { ingestK6File } from "../timeline/ingest-k6.ts";
import { evaluate, exitCodeFor } from "../verdict/index.ts";
import { renderHtml } from "./html/render.ts";
import { intervalStats } from "./intervals.ts";
import { renderJUnit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { exitMeaning, type RunSummary } from "./types.ts";
import { phasesFromTimeline } from "./windows.ts";

const RUN = new URL("../../test/fixtures/k6/run-1/run.ndjson.gz", import.meta.url).pathname;

// The thresholds of test/fixtures/k6/run-1/script.js (k6 exited 99: http_req_failed{endpoint:errs} crossed).
const thresholds = {
  http_req_duration: ["p(95)<500", "p(99)<1000"],
  "http_req_failed{endpoint:errs}": ["rate<0.01"],
  checks: ["rate>0.9"],
};

describe("reports of a real k6 run (test/fixtures/k6/run-1)", () => {
  it("draws k6's own samples and shows the verdict on every threshold", async () => {
    const { timeline } = await ingestK6File(RUN, { runId: "k6-run-1" });
    const json = timeline.toJSON();
    const verdict = evaluate(timeline, thresholds);
    const exitCode = exitCodeFor(verdict);
    const summary: RunSummary = {
      format: "harness.summary/v1",
      runId: json.runId,
      scenario: "k6-run-1",
      description: "k6 v0.48.0 run ingested from its NDJSON output",
      composeFile: "-",
      startedAt: json.startedAt,
      durationMs: json.endMs,
      exitCode,
      exitMeaning: exitMeaning(exitCode),
      verdict,
      faults: [],
      phases: phasesFromTimeline(json),
      topology: { services: [] },
      load: { executor: "k6 constant + ramping arrival rate", late: 0, dropped: 0, valid: true, invalidReasons: [] },
      harnessVersion: "test",
    };

    const intervals = intervalStats(json);
    const total = intervals.rows.reduce((s, r) => s + r.requests, 0);
    console.log(
      `k6 run: ${total} requests over ${json.endMs.toFixed(0)} ms, overall p99 ${intervals.overall.p99Ms} ms, verdict ${verdict.status}`,
    );
    expect(total).toBe(timeline.aggregate({ metric: "http_reqs" })!.total);
    expect(intervals.overall.p99Ms).toBeGreaterThan(0);

    const html = renderHtml(json, summary);
    expect(html.match(/<tr class="slo /g)).toHaveLength(4);
    expect(html).toMatch(/<tr class="slo row-fail" data-metric="http_req_failed\{endpoint:errs\}"/);
    expect(html).toMatch(/<path class="line s-p99" data-series="p99" d="M/);
    expect(html).toMatch(/<path class="line s-fail" data-series="error rate" d="M/);

    const xml = renderJUnit(summary);
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure type="threshold_failed"/g)).toHaveLength(1);
    expect(renderMarkdown(summary)).toMatch(/^### ❌ FAIL: k6-run-1 \(exit 1/);
  });
});
