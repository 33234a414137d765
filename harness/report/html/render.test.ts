import { describe, expect, it } from "vitest";
import { syntheticRun } from "../fixtures/synthetic-run.ts";
import { renderHtml, warningList } from "./render.ts";

describe("renderHtml", () => {
  it("is one self-contained page: no external reference of any kind", () => {
    const { json, summary } = syntheticRun();
    const html = renderHtml(json, summary);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(|https?:\/\//i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    console.log(`report.html size: ${(html.length / 1024).toFixed(1)} KiB for a 60 s run`);
  });

  it("puts the verdict at the top and draws the charts, the fault window and the phase marks", () => {
    const { json, summary } = syntheticRun();
    const html = renderHtml(json, summary);
    expect(html.indexOf('class="verdict v-fail"')).toBeLessThan(html.indexOf('id="slo"'));
    for (const id of ["chart-throughput", "chart-error-rate", "chart-latency", "chart-replication-lag", "lanes"]) {
      expect(html).toContain(`id="${id}"`);
    }
    // One shaded window per chart/lane figure, four phase marks (phases after 0) per figure.
    expect(html.match(/class="fault-window"/g)!.length).toBe(5);
    expect(html.match(/class="phase-mark"/g)!.length).toBe(20);
    expect(html).toMatch(/<path class="line s-p99" data-series="p99" d="M[\d.,L]+"/);
    expect(html).toContain("http_req_duration, ms, log scale");
  });

  it("escapes scenario strings everywhere they appear", () => {
    const evil = `<script>alert(1)</script>"'&`;
    const { json, summary } = syntheticRun({ scenario: evil, description: evil });
    summary.verdict.thresholds[0]!.metric = evil;
    summary.faults[0]!.params = { note: evil };
    json.events.push({ atMs: 1, kind: "container", name: evil, data: { state: "killed" } });
    const html = renderHtml(json, summary);
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it("warns about an aborted run, an unreverted fault, late requests and unmeasured thresholds", () => {
    const { json, summary } = syntheticRun();
    summary.verdict.status = "aborted";
    summary.faults = [{ ...summary.faults[0]!, revertAtMs: undefined, revertReason: undefined }];
    json.events.push({ atMs: 41_000, kind: "run", name: "aborted", data: { signal: "SIGINT" } });
    const warnings = warningList(json, summary, summary.faults);
    expect(warnings[0]).toBe("The run was aborted at 41.0 s: the results are partial.");
    expect(warnings).toContain("Fault kill-leader (kill-leader db1) has no recorded revert.");
    expect(warnings.some((w) => /requests were sent later than intended/.test(w))).toBe(true);
    expect(warnings.some((w) => /1 threshold was not measured/.test(w))).toBe(true);
    const html = renderHtml(json, summary);
    expect(html).toContain('<div class="word">ABORTED</div>');
    expect(html).toContain("not reverted");
  });

  it("falls back to the timeline's events when the summary lists no faults or phases", () => {
    const { json, summary } = syntheticRun();
    summary.faults = [];
    summary.phases = [];
    const html = renderHtml(json, summary);
    expect(html).toContain('<td class="mono">kill-leader</td>');
    expect(html.match(/class="fault-window"/g)!.length).toBe(5);
    expect(html).toMatch(
      /<td><span class="phase-chip ph-recovery"><\/span>recovery<\/td><td class="num">30.0 s<\/td><td class="num">20.0 s<\/td>/,
    );
  });
});
