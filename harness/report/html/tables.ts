import type { TimelineEvent } from "../../timeline/types.ts";
import type { ThresholdResult } from "../../verdict/types.ts";
import {
  formatDuration,
  formatNumber,
  formatObserved,
  formatParams,
  formatPercent,
  formatRunTime,
  statusLabel,
} from "../format.ts";
import type { PhaseStats } from "../phase-stats.ts";
import type { FaultSummary, LoadSummary, RunSummary, ServiceSummary } from "../types.ts";
import { esc } from "./escape.ts";

/** The SLO table: one row per threshold, failing and not-measured rows marked, the number behind each verdict. */
export function sloTable(thresholds: readonly ThresholdResult[]): string {
  if (thresholds.length === 0) {
    return `<p class="empty">The scenario declared no thresholds: nothing was judged.</p>`;
  }
  const rows = thresholds.map((t) => {
    const status = statusLabel(t.status);
    const detail = [t.reason ?? "", t.abortOnFail ? "abortOnFail" : ""].filter(Boolean).join(" · ");
    return `<tr class="slo row-${esc(t.status)}" data-metric="${esc(t.metric)}" data-expression="${esc(t.expression)}" data-status="${esc(t.status)}"><td class="status"><span class="badge b-${esc(t.status)}">${esc(status)}</span></td><td class="mono">${esc(t.metric)}</td><td class="mono">${esc(t.expression)}</td><td class="num observed">${esc(formatObserved(t))}</td><td class="detail">${esc(detail)}</td></tr>`;
  });
  return `<table class="data slo-table"><thead><tr><th>Status</th><th>Metric</th><th>Threshold</th><th class="num">Observed</th><th>Detail</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** Faults with their inject and revert times (run clock), revert reason and how long each held. */
export function faultsTable(faults: readonly FaultSummary[]): string {
  if (faults.length === 0) return `<p class="empty">No faults were injected.</p>`;
  const rows = faults.map((f) => {
    const reverted = f.revertAtMs !== undefined;
    const held = reverted ? formatDuration(f.revertAtMs! - f.injectAtMs) : "—";
    return `<tr class="${reverted ? "" : "row-fail"}"><td class="mono">${esc(f.id)}</td><td>${esc(f.kind)}</td><td class="mono">${esc(f.target)}</td><td class="mono params">${esc(formatParams(f.params))}</td><td class="num">${esc(formatRunTime(f.injectAtMs))}</td><td class="num">${reverted ? esc(formatRunTime(f.revertAtMs!)) : `<strong class="bad-text">not reverted</strong>`}</td><td>${esc(f.revertReason ?? "—")}</td><td class="num">${esc(held)}</td></tr>`;
  });
  return `<table class="data"><thead><tr><th>Fault</th><th>Kind</th><th>Target</th><th>Params</th><th class="num">Injected</th><th class="num">Reverted</th><th>Revert reason</th><th class="num">Held</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** Phases with their window and what the requests did in each (how the verdict's `{phase:...}` reads them). */
export function phasesTable(stats: readonly PhaseStats[]): string {
  if (stats.length === 0) return `<p class="empty">No phases were marked.</p>`;
  const rows = stats.map(
    ({ phase: p, ...s }) =>
      `<tr><td><span class="phase-chip ph-${esc(phaseClass(p.name))}"></span>${esc(p.name)}</td><td class="num">${esc(formatRunTime(p.fromMs))}</td><td class="num">${esc(formatDuration(p.toMs - p.fromMs))}</td><td class="num">${esc(formatNumber(Math.round(s.rps * 10) / 10))}</td><td class="num">${s.errorRate === undefined ? "—" : esc(formatPercent(s.errorRate))}</td><td class="num">${s.p99Ms === undefined ? "—" : esc(`${formatNumber(s.p99Ms)} ms`)}</td></tr>`,
  );
  return `<table class="data compact"><thead><tr><th>Phase</th><th class="num">From</th><th class="num">Length</th><th class="num">req/s</th><th class="num">Errors</th><th class="num">p99</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The topology's services with image, state at the end of the run, and role. */
export function topologyTable(services: readonly ServiceSummary[]): string {
  if (services.length === 0) return `<p class="empty">No services were recorded.</p>`;
  const rows = services.map(
    (s) =>
      `<tr><td class="mono">${esc(s.name)}</td><td class="mono">${esc(s.image)}</td><td>${esc(s.state)}</td><td>${esc(s.role ?? "")}</td></tr>`,
  );
  return `<table class="data compact"><thead><tr><th>Service</th><th>Image</th><th>State at end</th><th>Role</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** What the generator offered and achieved, and whether it kept up (late, dropped, validity). */
export function loadTable(load: LoadSummary): string {
  const opt = (v: number | undefined, unit: string): string => (v === undefined ? "—" : `${formatNumber(v)}${unit}`);
  const rows: Array<[string, string, string?]> = [
    ["Executor", load.executor],
    ["Offered rate", opt(load.offeredRatePerS, " req/s")],
    ["Achieved rate", opt(load.achievedRatePerS, " req/s")],
    ["Requests sent", opt(load.requests, "")],
    ["Late (over lateness budget)", formatNumber(load.late), load.late > 0 ? "warn-text" : ""],
    ["Dropped arrivals", formatNumber(load.dropped), load.dropped > 0 ? "warn-text" : ""],
    [
      "Generator validity",
      load.valid ? "valid: the generator kept up" : `INVALID: ${load.invalidReasons.join("; ")}`,
      load.valid ? "" : "bad-text",
    ],
  ];
  return keyValues(rows);
}

/** The run's identity: ids, files, times, exit code, versions. */
export function metadataTable(s: RunSummary, intervalMs: number): string {
  return keyValues([
    ["Run id", s.runId, "mono"],
    ["Scenario", s.scenario, "mono"],
    ["Scenario file", s.scenarioFile ?? "—", "mono"],
    ["Compose file", s.composeFile, "mono"],
    ["Started at", s.startedAt, "mono"],
    ["Duration", formatDuration(s.durationMs)],
    ["Exit code", `${s.exitCode} (${s.exitMeaning})`],
    ["Timeline interval", `${formatNumber(intervalMs)} ms`],
    ["Harness version", s.harnessVersion, "mono"],
  ]);
}

function keyValues(rows: Array<[string, string, string?]>): string {
  return `<table class="kv">${rows.map(([k, v, cls]) => `<tr><th>${esc(k)}</th><td class="${esc(cls ?? "")}">${esc(v)}</td></tr>`).join("")}</table>`;
}

/** Every event on the timeline (capped), for the reviewer who wants the raw sequence. */
export function eventsTable(events: readonly TimelineEvent[], cap = 400): string {
  if (events.length === 0) return `<p class="empty">No events were recorded.</p>`;
  const shown = events.slice(0, cap);
  const rows = shown.map((e) => {
    const data = e.data === undefined ? "" : JSON.stringify(e.data);
    return `<tr><td class="num">${esc(formatRunTime(e.atMs))}</td><td class="mono">${esc(e.kind)}</td><td class="mono">${esc(e.name)}</td><td class="mono params">${esc(data.length > 240 ? `${data.slice(0, 239)}…` : data)}</td></tr>`;
  });
  const more =
    events.length > cap ? `<p class="note">${events.length - cap} more events are in timeline.json.</p>` : "";
  return `<table class="data compact"><thead><tr><th class="num">At</th><th>Kind</th><th>Name</th><th>Data</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

const KNOWN_PHASES = new Set(["warmup", "steady", "fault", "recovery", "post"]);

/** The CSS suffix for a phase name (unknown names share one colour). */
export function phaseClass(name: string): string {
  return KNOWN_PHASES.has(name) ? name : "other";
}
