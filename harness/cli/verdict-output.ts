import path from "node:path";
import type { RunOutcome } from "../run/run.ts";

/** The verdict block printed at the end of `harness run`. */
export function formatVerdict(outcome: RunOutcome): string {
  const v = outcome.verdict;
  const lines = [`verdict: ${v.status.toUpperCase()} (exit ${outcome.exitCode})`];
  for (const t of v.thresholds) {
    const mark = t.status === "pass" ? "ok  " : t.status === "fail" ? "FAIL" : "N/M ";
    const observed = t.observed === undefined ? "" : ` observed ${round(t.observed)}${t.unit ? ` ${t.unit}` : ""}`;
    const why = t.reason ? ` (${t.reason})` : "";
    lines.push(`  ${mark} ${t.metric} ${t.expression}${observed}${why}`);
  }
  for (const r of v.invalidReasons) lines.push(`  invalid: ${r}`);
  lines.push(`report: ${path.relative(process.cwd(), path.join(outcome.dir, "report.html"))}`);
  return lines.join("\n");
}

function round(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}
