import type { ThresholdResult, VerdictStatus } from "../verdict/types.ts";

/** A number for people: integers with thousands separators, fractions with 3 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString("en-US");
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US");
  if (abs >= 100) return n.toFixed(1);
  if (abs >= 10) return n.toFixed(2).replace(/\.?0+$/, "");
  if (abs >= 1) return n.toFixed(2).replace(/\.?0+$/, "");
  return Number(n.toPrecision(3)).toString();
}

/** A run-clock time in seconds from run start: `20.3 s`. */
export function formatRunTime(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A duration for people: `850 ms`, `9.1 s`, `2 min 03 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  const min = Math.floor(totalS / 60);
  const s = totalS % 60;
  return `${min} min ${String(s).padStart(2, "0")} s`;
}

/** The observed value of a threshold with its unit: `1,234 ms`, `0.120 %`, `9.1 s`, `3`. */
export function formatObserved(r: Pick<ThresholdResult, "observed" | "unit">): string {
  if (r.observed === undefined || r.observed === null) return "—";
  const v = r.observed;
  switch (r.unit ?? "") {
    case "rate":
      return v === 0 ? "0 %" : `${formatPercent(v)} (${formatNumber(v)})`;
    case "count":
    case "":
      return formatNumber(v);
    case "ms":
      // Resilience checks report ms: 9,400 ms reads faster as 9.4 s, so show both past a second.
      return Math.abs(v) >= 1000 ? `${formatNumber(v)} ms (${formatNumber(v / 1000)} s)` : `${formatNumber(v)} ms`;
    case "/s":
      return `${formatNumber(v)}/s`;
    case "s":
      return `${formatNumber(v)} s`;
    default:
      return `${formatNumber(v)} ${r.unit}`;
  }
}

/** A fraction 0..1 as a percentage with enough digits to tell 0.1 % from 0 %: `0.120 %`. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return "0 %";
  if (Math.abs(p) >= 10) return `${p.toFixed(1)} %`;
  if (Math.abs(p) >= 1) return `${p.toFixed(2)} %`;
  return `${p.toPrecision(3)} %`;
}

/** The status word a reviewer reads. */
export function statusLabel(status: ThresholdResult["status"]): string {
  return status === "pass" ? "pass" : status === "fail" ? "fail" : "not measured";
}

/** The verdict word at the top of every report. */
export function verdictLabel(status: VerdictStatus): string {
  return status.toUpperCase();
}

/** Counts of threshold outcomes. */
export function tally(thresholds: readonly ThresholdResult[]): { pass: number; fail: number; notMeasured: number } {
  let pass = 0;
  let fail = 0;
  let notMeasured = 0;
  for (const t of thresholds) {
    if (t.status === "pass") pass++;
    else if (t.status === "fail") fail++;
    else notMeasured++;
  }
  return { pass, fail, notMeasured };
}

/** Fault params as `latencyMs=500, jitterMs=50` (objects as JSON). */
export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}
