import { describe, expect, it } from "vitest";
import { syntheticRun } from "./fixtures/synthetic-run.ts";
import { renderMarkdown } from "./markdown.ts";

describe("renderMarkdown", () => {
  it("heads the comment with the verdict and has one table row per threshold", () => {
    const { summary } = syntheticRun();
    const md = renderMarkdown(summary);
    const lines = md.split("\n");
    expect(lines[0]).toBe("### ❌ FAIL: failover-primary (exit 1, an SLO threshold failed)");
    const rows = lines.filter((l) => /^\| (✅|❌|⚠️)/.test(l));
    expect(rows).toHaveLength(summary.verdict.thresholds.length);
    expect(rows[2]).toBe("| ❌ fail | `http_req_duration{phase:recovery}` | `p(99)<2000` | 2,452 ms (2.45 s) |  |");
    expect(rows[3]).toContain(
      "| ⚠️ not measured | `lost_writes` | `count==0` | — | metric lost_writes was never recorded |",
    );
    expect(md).toContain("- `kill-leader`: kill-leader db1, injected 20.0 s, reverted 32.0 s (recovered)");
  });

  it("keeps user text from breaking the table or injecting HTML", () => {
    const { summary } = syntheticRun({ scenario: "a|b<script>" });
    summary.verdict.thresholds[0]!.metric = "m{tag:x|y}";
    summary.verdict.thresholds[0]!.reason = "two\nlines | <img>";
    const md = renderMarkdown(summary);
    expect(md).toContain("FAIL: a\\|b&lt;script&gt;");
    expect(md).toContain("`m{tag:x\\|y}`");
    expect(md).toContain("two lines \\| &lt;img&gt;");
    const row = md.split("\n").find((l) => l.includes("m{tag"))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(7);
  });
});
