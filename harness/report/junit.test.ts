import { describe, expect, it } from "vitest";
import { syntheticRun } from "./fixtures/synthetic-run.ts";
import { renderJUnit, xmlEscape } from "./junit.ts";

describe("renderJUnit", () => {
  it("writes one testsuite with one testcase per threshold, failing the failed and the not measured", () => {
    const { summary } = syntheticRun();
    const xml = renderJUnit(summary);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(summary.verdict.thresholds.length);
    expect(xml).toContain('tests="5" failures="2" errors="0"');
    expect(xml).toContain(
      '<failure type="threshold_failed" message="http_req_duration{phase:recovery} p(99)&lt;2000 failed: observed 2,452 ms (2.45 s)">',
    );
    expect(xml).toContain(
      '<failure type="not_measured" message="lost_writes count==0 not measured: metric lost_writes was never recorded">',
    );
    expect(xml).toContain('name="recovery_time: value&lt;30s"');
    expect(xml).toContain('timestamp="2026-01-02T10:00:00"');
  });

  it("adds a failing 'run validity' testcase when the run is invalid, so CI is never green on exit 4", () => {
    const { summary } = syntheticRun();
    summary.verdict = {
      status: "invalid",
      invalidReasons: ["generator saturated: 12% of requests late"],
      thresholds: summary.verdict.thresholds.filter((t) => t.status === "pass"),
    };
    const xml = renderJUnit(summary);
    expect(xml).toContain('tests="4" failures="1"');
    expect(xml).toMatch(/name="run validity".*<failure type="run_invalid" message="run invalid: generator saturated/);
  });

  it("escapes markup and drops characters XML cannot carry", () => {
    expect(xmlEscape(`a<b>&"c'\u0001d`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;d");
    const { summary } = syntheticRun({ scenario: `x"><y` });
    expect(renderJUnit(summary)).toContain('<testsuite name="x&quot;&gt;&lt;y"');
  });
});
