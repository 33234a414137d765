import type { RunSummary } from "./types.ts";

/** summary.json: the RunSummary, pretty-printed (it is small and people read it). */
export function renderSummaryJson(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** Read a summary.json back, checking it is one (for `harness report`). */
export function parseSummaryJson(text: string, file = "summary.json"): RunSummary {
  const value = JSON.parse(text) as Partial<RunSummary>;
  if (!value || typeof value !== "object" || value.format !== "harness.summary/v1") {
    throw new TypeError(`${file} is not a harness run summary (format ${String(value?.format)})`);
  }
  const missing = (["runId", "scenario", "verdict", "load", "topology", "faults", "phases"] as const).filter(
    (k) => value[k] === undefined,
  );
  if (missing.length > 0) throw new TypeError(`${file} lacks ${missing.join(", ")}`);
  return value as RunSummary;
}
