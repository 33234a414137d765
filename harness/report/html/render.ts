import type { TimelineJSON } from "../../timeline/types.ts";
import { formatDuration, formatNumber, formatPercent, formatRunTime, tally, verdictLabel } from "../format.ts";
import { type Intervals, intervalStats } from "../intervals.ts";
import { phaseStats } from "../phase-stats.ts";
import type { FaultSummary, PhaseSummary, RunSummary } from "../types.ts";
import {
  containerLanes,
  counterTotal,
  faultsFromTimeline,
  type GaugeLine,
  gaugeLines,
  leaderSegments,
  phasesFromTimeline,
  tagText,
} from "../windows.ts";
import { bytesText, gaugeChart, type Overlays, requestCharts } from "./charts.ts";
import { esc } from "./escape.ts";
import { type LaneRow, type LaneSegment, lanes } from "./lanes.ts";
import { SCRIPT } from "./script.ts";
import { STYLE } from "./style.ts";
import { TimeScale, tickText } from "./svg.ts";
import {
  eventsTable,
  faultsTable,
  loadTable,
  metadataTable,
  phaseClass,
  phasesTable,
  sloTable,
  topologyTable,
} from "./tables.ts";

/** Faults of the run: the summary's list, or (for a summary written without it) the timeline's events. */
export function reportFaults(timeline: TimelineJSON, summary: RunSummary): FaultSummary[] {
  return summary.faults.length > 0 ? summary.faults : faultsFromTimeline(timeline);
}

/** Phases of the run: the summary's list, or the timeline's `phase` events. */
export function reportPhases(timeline: TimelineJSON, summary: RunSummary): PhaseSummary[] {
  return summary.phases.length > 0 ? summary.phases : phasesFromTimeline(timeline);
}

/**
 * The HTML report: one self-contained page (inline CSS, inline SVG drawn here, a few lines of
 * inline JS for hover) that opens offline. Every string from the scenario or the run is escaped.
 */
export function renderHtml(timeline: TimelineJSON, summary: RunSummary): string {
  const faults = reportFaults(timeline, summary);
  const phases = reportPhases(timeline, summary);
  const endMs = Math.max(
    timeline.endMs,
    ...phases.map((p) => p.toMs),
    ...faults.map((f) => f.revertAtMs ?? f.injectAtMs),
    1000,
  );
  const scale = new TimeScale(endMs);
  const overlays: Overlays = { faults, phases };
  const intervals = intervalStats({ ...timeline, endMs });

  const charts = requestCharts(intervals, scale, overlays);
  const lanesSvg = lanes(laneRows(timeline, faults, phases, endMs), scale, overlays);
  const lag = gaugeLines(timeline, "patroni_replication_lag_bytes");
  const lagChart =
    lag.length > 0
      ? gaugeChart(
          "chart-replication-lag",
          "Replication lag",
          "patroni_replication_lag_bytes, per member",
          lag,
          timeline.intervalMs,
          scale,
          overlays,
          bytesText,
        )
      : "";
  const loopLag = gaugeLines(timeline, "generator_event_loop_lag");
  const loopChart =
    loopLag.length > 0
      ? gaugeChart(
          "chart-generator-lag",
          "Load generator event-loop lag",
          "generator_event_loop_lag, ms",
          loopLag,
          timeline.intervalMs,
          scale,
          overlays,
          (v) => `${tickText(v)} ms`,
        )
      : "";

  const v = summary.verdict;
  const counts = tally(v.thresholds);
  const title = `${verdictLabel(v.status)} · ${summary.scenario} · ${summary.runId}`;
  const warnings = warningList(timeline, summary, faults);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="harness ${esc(summary.harnessVersion)}">
<title>${esc(title)} — harness report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${esc(summary.scenario)}</h1>
${summary.description ? `<p class="sub">${esc(summary.description)}</p>` : ""}
<p class="sub">run <span class="mono">${esc(summary.runId)}</span> · started <span class="mono">${esc(summary.startedAt)}</span> · ${esc(formatDuration(summary.durationMs))} · harness ${esc(summary.harnessVersion)}</p>
<section class="verdict v-${esc(v.status)}" id="verdict" data-status="${esc(v.status)}">
<div class="word">${esc(verdictLabel(v.status))}</div>
<div class="detail"><strong>exit ${esc(summary.exitCode)}</strong> · ${esc(summary.exitMeaning)}<br>
<span class="counts"><span>${counts.pass} passed</span><span>${counts.fail} failed</span><span>${counts.notMeasured} not measured</span><span>${faults.length} fault${faults.length === 1 ? "" : "s"}</span></span></div>
</section>
${glance(intervals)}
</header>
${warnings.length > 0 ? `<section class="warnings" id="warnings"><h2>Validity warnings</h2><ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></section>` : ""}
<section id="slo">
<h2>Service level objectives</h2>
${sloTable(v.thresholds)}
</section>
<section id="timeline">
<h2>Timeline</h2>
${charts}
${lanesSvg}
${lagChart}
${loopChart}
<p class="note">Shaded bands are fault windows (inject to revert); dotted lines mark phase starts. Latency percentiles are computed per interval of ${esc(formatNumber(intervals.widthMs))} ms from merged HdrHistograms.</p>
</section>
<section id="faults">
<h2>Faults</h2>
${faultsTable(faults)}
</section>
<div class="cols">
<section id="phases"><h2>Phases</h2>${phasesTable(phaseStats(timeline, phases))}</section>
<section id="load"><h2>Load</h2>${loadTable(summary.load)}</section>
</div>
<div class="cols">
<section id="topology"><h2>Topology</h2>${topologyTable(summary.topology.services)}</section>
<section id="run"><h2>Run</h2>${metadataTable(summary, timeline.intervalMs)}</section>
</div>
<section id="events">
<h2>Events</h2>
<details><summary>${timeline.events.length} events on the run clock</summary>${eventsTable(timeline.events)}</details>
</section>
<footer>Generated by harness ${esc(summary.harnessVersion)} from timeline.json and summary.json. Times are seconds since run start (${esc(summary.startedAt)}).</footer>
</main>
<div id="tip" role="tooltip"></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** The run in one line of figures under the verdict: requests, error rate, latency. */
function glance(intervals: Intervals): string {
  const o = intervals.overall;
  const figures: Array<[string, string]> = [["requests", formatNumber(o.requests)]];
  if (o.errorRate !== undefined) figures.push(["failed", `${formatNumber(o.failed)} (${formatPercent(o.errorRate)})`]);
  if (o.p50Ms !== undefined) {
    figures.push(["p50", `${formatNumber(o.p50Ms)} ms`]);
    figures.push(["p99", `${formatNumber(o.p99Ms!)} ms`]);
    figures.push(["max", `${formatNumber(o.maxMs!)} ms`]);
  }
  return `<p class="glance">${figures.map(([k, v]) => `<span><b>${esc(v)}</b> ${esc(k)}</span>`).join("")}<span class="faint">whole run</span></p>`;
}

/** What makes the numbers less trustworthy, in words, most serious first. */
export function warningList(timeline: TimelineJSON, summary: RunSummary, faults: FaultSummary[]): string[] {
  const out: string[] = [];
  const aborted = timeline.events.find((e) => e.kind === "run" && e.name === "aborted");
  if (summary.verdict.status === "aborted" || aborted) {
    const at = aborted ? ` at ${formatRunTime(aborted.atMs)}` : "";
    out.push(`The run was aborted${at}: the results are partial.`);
  }
  // One reason reaches us by up to three roads (verdict, load summary, validity event): say it once.
  const seen = new Set<string>();
  const once = (core: string, line: string): void => {
    if (seen.has(core)) return;
    seen.add(core);
    out.push(line);
  };
  const coreOf = (r: string): string => r.replace(/^[a-z_]+: /, "");
  for (const r of summary.verdict.invalidReasons) once(coreOf(r), r);
  for (const r of summary.load.invalidReasons) once(coreOf(r), r);
  for (const e of timeline.events) {
    if (e.kind !== "validity") continue;
    const message = typeof e.data?.message === "string" ? e.data.message : "";
    once(message || e.name, `${e.name} at ${formatRunTime(e.atMs)}${message ? `: ${message}` : ""}`);
  }
  for (const f of faults) {
    if (f.revertAtMs === undefined) out.push(`Fault ${f.id} (${f.kind} ${f.target}) has no recorded revert.`);
  }
  const notMeasured = summary.verdict.thresholds.filter((t) => t.status === "not_measured");
  // The verdict already lists each unmeasured threshold ("not measured: ..."); say it once otherwise.
  const listed = summary.verdict.invalidReasons.some((r) => r.startsWith("not measured"));
  if (notMeasured.length > 0 && !listed) {
    out.push(
      `${notMeasured.length} threshold${notMeasured.length === 1 ? " was" : "s were"} not measured (a threshold that was not measured fails, never passes).`,
    );
  }
  const late = Math.max(summary.load.late, counterTotal(timeline, "generator_late"));
  const dropped = Math.max(summary.load.dropped, counterTotal(timeline, "generator_dropped"));
  const requests = summary.load.requests ?? counterTotal(timeline, "http_reqs");
  if (late > 0 && ![...seen].some((r) => r.includes("late"))) {
    const share = requests > 0 ? ` (${formatPercent(late / requests)} of requests)` : "";
    out.push(`${formatNumber(late)} requests were sent later than intended${share}.`);
  }
  if (dropped > 0) out.push(`${formatNumber(dropped)} arrivals were dropped by the generator.`);
  return [...new Set(out)];
}

/** The lanes under the charts: phases, faults, the leader, breakers, containers, notes. */
function laneRows(timeline: TimelineJSON, faults: FaultSummary[], phases: PhaseSummary[], endMs: number): LaneRow[] {
  const rows: LaneRow[] = [];
  if (phases.length > 0) {
    rows.push({
      group: "run",
      label: "phase",
      segments: phases.map((p) => ({
        fromMs: p.fromMs,
        toMs: p.toMs,
        label: p.name,
        cls: `ph-${phaseClass(p.name)}`,
        tip: `${p.name}: ${formatRunTime(p.fromMs)} – ${formatRunTime(p.toMs)}`,
      })),
    });
  }
  for (const f of faults) {
    const to = f.revertAtMs ?? endMs;
    rows.push({
      group: "run",
      label: f.id,
      segments: [
        {
          fromMs: f.injectAtMs,
          toMs: to,
          label: `${f.kind} ${f.target}`,
          cls: "fault",
          tip: `fault ${f.id}: ${f.kind} ${f.target}\ninjected ${formatRunTime(f.injectAtMs)}\n${
            f.revertAtMs === undefined
              ? "NOT REVERTED"
              : `reverted ${formatRunTime(f.revertAtMs)} (${f.revertReason ?? "?"}) after ${formatDuration(f.revertAtMs - f.injectAtMs)}`
          }`,
        },
      ],
    });
  }
  const notes = timeline.events.filter((e) => ["validity", "verify"].includes(e.kind) || e.kind === "run");
  if (notes.length > 0) {
    rows.push({
      group: "run",
      label: "run events",
      baseline: true,
      markers: notes.map((e) => ({
        atMs: e.atMs,
        cls: e.kind === "validity" || e.name === "aborted" ? "warn" : "info",
        tip: `${formatRunTime(e.atMs)} ${e.kind} ${e.name}${e.data ? `\n${JSON.stringify(e.data)}` : ""}`,
      })),
    });
  }

  const leader = leaderSegments(timeline);
  if (leader.length > 0) {
    const keys: string[] = [];
    rows.push({
      group: "probes",
      label: "patroni leader",
      segments: leader.map((s) => {
        if (s.key !== "none" && !keys.includes(s.key)) keys.push(s.key);
        return {
          fromMs: s.fromMs,
          toMs: s.toMs,
          label: s.label,
          cls: s.key === "none" ? "none" : `m${keys.indexOf(s.key) % 6}`,
          tip: `leader ${s.label}: ${formatRunTime(s.fromMs)} – ${formatRunTime(s.toMs)}`,
        };
      }),
    });
  }
  for (const line of gaugeLines(timeline, "app_breaker_state")) {
    rows.push({
      group: "breakers",
      label: Object.values(line.tags).join(" → ") || "breaker",
      tip: `circuit breaker ${tagText(line.tags)}`,
      // The worst state in a bucket wins: a breaker that opened for 200 ms still shows open.
      segments: stepSegments(line, timeline.intervalMs, endMs, (p) =>
        p.max >= 2 ? ["open", "bad"] : p.max >= 1 ? ["half-open", "warn"] : ["closed", "ok"],
      ),
    });
  }

  const containers = containerLanes(timeline);
  const withEvents = new Set(containers.map((c) => c.service));
  for (const c of containers) {
    rows.push({
      group: "containers",
      label: c.service,
      baseline: true,
      segments: c.down.map((s) => ({
        fromMs: s.fromMs,
        toMs: s.toMs,
        label: s.label,
        cls: s.key === "paused" ? "warn" : "bad",
        tip: `${c.service} ${s.label}: ${formatRunTime(s.fromMs)} – ${formatRunTime(s.toMs)}`,
      })),
      markers: c.markers.map((m) => ({
        atMs: m.atMs,
        cls:
          m.state === "killed" || m.state === "stopped"
            ? "bad"
            : m.state === "paused" || m.state === "disconnected"
              ? "warn"
              : "ok",
        tip: `${formatRunTime(m.atMs)} ${m.label}`,
      })),
    });
  }
  for (const line of gaugeLines(timeline, "container_running")) {
    const service = line.tags.service ?? tagText(line.tags);
    if (withEvents.has(service)) continue;
    rows.push({
      group: "containers",
      label: service,
      segments: stepSegments(line, timeline.intervalMs, endMs, (p) =>
        p.min >= 1 ? ["running", "ok"] : ["down", "bad"],
      ),
    });
  }
  return rows;
}

/** Consecutive gauge buckets with the same class, merged into bars. */
function stepSegments(
  line: GaugeLine,
  intervalMs: number,
  endMs: number,
  classify: (point: GaugeLine["points"][number]) => [label: string, cls: string],
): LaneSegment[] {
  const out: LaneSegment[] = [];
  for (const p of line.points) {
    const [label, cls] = classify(p);
    const toMs = Math.min(endMs, p.tMs + intervalMs);
    const last = out[out.length - 1];
    if (last && last.cls === cls && last.toMs >= p.tMs) last.toMs = toMs;
    else out.push({ fromMs: p.tMs, toMs, label, cls, tip: "" });
  }
  for (const s of out) s.tip = `${s.label}: ${formatRunTime(s.fromMs)} – ${formatRunTime(s.toMs)}`;
  return out;
}
