import { formatDuration, formatObserved, formatRunTime, statusLabel, tally, verdictLabel } from "./format.ts";
import type { FaultSummary, RunSummary } from "./types.ts";

const ICON: Record<string, string> = {
  pass: "✅",
  fail: "❌",
  not_measured: "⚠️",
  invalid: "⚠️",
  aborted: "⏹️",
};

/** Text safe in a Markdown table cell: no pipe, no newline, no HTML. */
export function mdCell(value: unknown): string {
  return String(value ?? "")
    .replace(/\r?\n/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|");
}

/** Inline code that survives backticks and pipes (GFM unescapes a backslash-pipe inside code in a table cell). */
function mdCode(value: string): string {
  const text = value.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** summary.md: a short PR comment: the verdict, one table row per threshold, the faults, the warnings. */
export function renderMarkdown(summary: RunSummary, faults: FaultSummary[] = summary.faults): string {
  const v = summary.verdict;
  const c = tally(v.thresholds);
  const lines: string[] = [];
  lines.push(
    `### ${ICON[v.status] ?? ""} ${verdictLabel(v.status)}: ${mdCell(summary.scenario)} (exit ${summary.exitCode}, ${mdCell(summary.exitMeaning)})`,
  );
  lines.push("");
  lines.push(
    `Run ${mdCode(summary.runId)} · ${formatDuration(summary.durationMs)} · ${c.pass} passed, ${c.fail} failed, ${c.notMeasured} not measured`,
  );
  lines.push("");
  if (v.thresholds.length > 0) {
    lines.push("| | Metric | Threshold | Observed | Detail |");
    lines.push("|---|---|---|---:|---|");
    for (const t of v.thresholds) {
      lines.push(
        `| ${ICON[t.status]} ${statusLabel(t.status)} | ${mdCode(t.metric)} | ${mdCode(t.expression)} | ${mdCell(formatObserved(t))} | ${mdCell(t.reason ?? "")} |`,
      );
    }
  } else {
    lines.push("_No thresholds were declared._");
  }
  if (faults.length > 0) {
    lines.push("");
    lines.push("**Faults**");
    lines.push("");
    for (const f of faults) {
      const revert =
        f.revertAtMs === undefined
          ? "**not reverted**"
          : `reverted ${formatRunTime(f.revertAtMs)} (${mdCell(f.revertReason ?? "?")})`;
      lines.push(
        `- ${mdCode(f.id)}: ${mdCell(f.kind)} ${mdCell(f.target)}, injected ${formatRunTime(f.injectAtMs)}, ${revert}`,
      );
    }
  }
  const reasons = [...new Set([...v.invalidReasons, ...summary.load.invalidReasons])];
  if (reasons.length > 0) {
    lines.push("");
    lines.push("**Validity warnings**");
    lines.push("");
    for (const r of reasons) lines.push(`- ${mdCell(r)}`);
  }
  lines.push("");
  lines.push(`<sub>harness ${mdCell(summary.harnessVersion)} · full report: report.html</sub>`);
  return `${lines.join("\n")}\n`;
}
