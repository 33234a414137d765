import { formatNumber, formatPercent, formatRunTime } from "../format.ts";
import type { IntervalRow, Intervals } from "../intervals.ts";
import type { FaultSummary, PhaseSummary } from "../types.ts";
import type { GaugeLine } from "../windows.ts";
import { esc } from "./escape.ts";
import {
  LEFT,
  linearY,
  linePath,
  logY,
  PLOT_WIDTH,
  round,
  type TimeScale,
  tickText,
  timeAxis,
  WIDTH,
  type YScale,
  yAxis,
} from "./svg.ts";

/** What every chart draws behind its lines: fault windows shaded, phase starts marked. */
export interface Overlays {
  faults: FaultSummary[];
  phases: PhaseSummary[];
}

/** One line of a chart: a value per point (undefined = no sample there). */
export interface LineSeries {
  name: string;
  /** CSS class giving the colour: `s-p50`, `s-rps`, ... (also used by the legend swatch). */
  cls: string;
  values: Array<number | undefined>;
  dashed?: boolean;
}

/** One chart: its lines on the shared time axis, hover text, y scale and unit. */
export interface ChartSpec {
  id: string;
  title: string;
  /** Shown beside the title: `req/s`, `%`, `ms, log scale`. */
  unit: string;
  series: LineSeries[];
  /** x of each point (run-clock ms), same length as each series' values. */
  atMs: number[];
  /** Hover text per point (one hover column each); same length as atMs. */
  tips?: string[];
  /** Width of a hover column in ms. */
  columnMs?: number;
  yFormat: (v: number) => string;
  yKind?: "linear" | "log";
  height?: number;
  /** Draw the last series first (under the others); the legend keeps the listed order. */
  drawReversed?: boolean;
  /** Draws the y range from 0 to at least this (so a flat 0 % error rate is not blown up). */
  minTop?: number;
}

const TOP = 12;

/** One time-series chart as an inline SVG figure, with its legend. Empty series draw a note instead. */
export function chart(spec: ChartSpec, scale: TimeScale, overlays: Overlays): string {
  const height = spec.height ?? 210;
  const bottom = height - 40;
  const values = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  const legend = spec.series
    .map(
      (s) =>
        `<span class="key"><svg width="18" height="10" aria-hidden="true"><line class="${esc(s.cls)}${s.dashed ? " dashed" : ""}" x1="0" y1="5" x2="18" y2="5"/></svg>${esc(s.name)}</span>`,
    )
    .join("");
  const head = `<div class="chart-head"><h3>${esc(spec.title)} <span class="unit">${esc(spec.unit)}</span></h3><div class="legend">${legend}</div></div>`;
  if (values.length === 0) {
    return `<figure class="chart" id="${esc(spec.id)}">${head}<div class="empty">No samples were recorded for this chart.</div></figure>`;
  }
  const max = Math.max(spec.minTop ?? 0, ...values);
  const positive = values.filter((v) => v > 0);
  const ys: YScale =
    spec.yKind === "log" && positive.length > 0
      ? logY(Math.min(...positive), max, TOP, bottom)
      : linearY(max, TOP, bottom);

  const parts: string[] = [];
  parts.push(yAxis(ys, spec.yFormat));
  parts.push(timeAxis(scale, TOP, bottom));
  parts.push(overlayShapes(scale, overlays, TOP, bottom));
  for (const s of spec.drawReversed ? [...spec.series].reverse() : spec.series) {
    const pts = s.values.map((v, i) => ({ x: scale.x(spec.atMs[i]!), y: v === undefined ? undefined : ys.y(v) }));
    const { d, isolated } = linePath(pts);
    const cls = `line ${s.cls}${s.dashed ? " dashed" : ""}`;
    if (d) parts.push(`<path class="${esc(cls)}" data-series="${esc(s.name)}" d="${d}"/>`);
    for (const p of isolated) parts.push(`<circle class="dot ${esc(s.cls)}" cx="${p.x}" cy="${p.y}" r="2.5"/>`);
  }
  if (spec.tips) {
    const col = spec.columnMs ?? 0;
    spec.tips.forEach((tip, i) => {
      const from = scale.x(spec.atMs[i]! - col / 2);
      const to = scale.x(spec.atMs[i]! + col / 2);
      parts.push(
        `<rect class="hover" x="${from}" y="${TOP}" width="${round(Math.max(1, to - from))}" height="${bottom - TOP}" data-tip="${esc(tip)}"/>`,
      );
    });
  }
  parts.push(`<line class="cursor" visibility="hidden" x1="-10" y1="${TOP}" x2="-10" y2="${bottom}"/>`);
  return `<figure class="chart" id="${esc(spec.id)}">${head}<svg class="plot" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(spec.title)}" data-left="${LEFT}" data-width="${PLOT_WIDTH}">${parts.join("")}</svg></figure>`;
}

/** Fault windows (shaded, hover text) and phase starts (dashed lines) for a plot area. */
export function overlayShapes(
  scale: TimeScale,
  overlays: Overlays,
  top: number,
  bottom: number,
  labels = true,
): string {
  const parts: string[] = [];
  for (const f of overlays.faults) {
    const x1 = scale.x(f.injectAtMs);
    const x2 = scale.x(f.revertAtMs ?? scale.endMs);
    const tip = `fault ${f.id} (${f.kind} ${f.target})\ninjected ${formatRunTime(f.injectAtMs)}\n${
      f.revertAtMs === undefined ? "NOT REVERTED" : `reverted ${formatRunTime(f.revertAtMs)} (${f.revertReason ?? "?"})`
    }`;
    parts.push(
      `<rect class="fault-window" x="${x1}" y="${top}" width="${round(Math.max(1.5, x2 - x1))}" height="${bottom - top}" data-tip="${esc(tip)}"/>`,
    );
    parts.push(`<line class="fault-edge" x1="${x1}" y1="${top}" x2="${x1}" y2="${bottom}"/>`);
    if (labels) parts.push(`<text class="fault-label" x="${round(x1 + 4)}" y="${top + 11}">${esc(f.id)}</text>`);
  }
  for (const p of overlays.phases) {
    if (p.fromMs <= 0) continue;
    const x = scale.x(p.fromMs);
    parts.push(`<line class="phase-mark" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/>`);
  }
  return parts.join("");
}

/** Hover text for one interval: every request figure at once. */
export function intervalTip(r: IntervalRow): string {
  const lines = [
    `${formatRunTime(r.tMs)} – ${formatRunTime(r.tMs + r.widthMs)}`,
    `throughput ${formatNumber(round(r.rps))} req/s (${formatNumber(r.requests)} requests)`,
    `errors ${formatNumber(r.failed)}${r.errorRate === undefined ? "" : ` (${formatPercent(r.errorRate)})`}`,
  ];
  if (r.p50Ms !== undefined) {
    lines.push(`p50 ${ms(r.p50Ms)} · p90 ${ms(r.p90Ms!)} · p99 ${ms(r.p99Ms!)} · max ${ms(r.maxMs!)}`);
  } else lines.push("no latency samples");
  return lines.join("\n");
}

function ms(v: number): string {
  return `${formatNumber(v)} ms`;
}

/** The three request charts: throughput, error rate, latency percentiles. */
export function requestCharts(intervals: Intervals, scale: TimeScale, overlays: Overlays): string {
  const rows = intervals.rows;
  const atMs = rows.map((r) => Math.min(scale.endMs, r.tMs + r.widthMs / 2));
  const tips = rows.map(intervalTip);
  const common = { atMs, tips, columnMs: intervals.widthMs };
  const throughput = chart(
    {
      ...common,
      id: "chart-throughput",
      title: "Throughput",
      unit: "requests per second",
      series: intervals.has.requests
        ? [
            { name: "all requests", cls: "s-rps", values: rows.map((r) => r.rps) },
            ...(intervals.has.failed ? [{ name: "failed", cls: "s-fail", values: rows.map((r) => r.failedRps) }] : []),
          ]
        : [],
      yFormat: tickText,
    },
    scale,
    overlays,
  );
  const errorRate = chart(
    {
      ...common,
      id: "chart-error-rate",
      title: "Error rate",
      unit: "% of requests failed (http_req_failed)",
      series: intervals.has.failed
        ? [
            {
              name: "error rate",
              cls: "s-fail",
              values: rows.map((r) => (r.errorRate === undefined ? undefined : r.errorRate * 100)),
            },
          ]
        : [],
      yFormat: (v) => `${tickText(v)} %`,
      minTop: 1,
    },
    scale,
    overlays,
  );
  const latencyValues = rows.flatMap((r) => (r.p50Ms === undefined ? [] : [r.p50Ms, r.maxMs!]));
  const lo = Math.min(...latencyValues.filter((v) => v > 0));
  const hi = Math.max(...latencyValues);
  // Latency spans decades in a failover (3 ms steady, 10 s stalled): log scale keeps both readable.
  const log = latencyValues.length > 0 && hi / lo > 20;
  const latency = chart(
    {
      ...common,
      id: "chart-latency",
      title: "Latency per interval",
      unit: `http_req_duration, ms${log ? ", log scale" : ""}`,
      series: intervals.has.latency
        ? [
            { name: "p50", cls: "s-p50", values: rows.map((r) => r.p50Ms) },
            { name: "p90", cls: "s-p90", values: rows.map((r) => r.p90Ms) },
            { name: "p99", cls: "s-p99", values: rows.map((r) => r.p99Ms) },
            { name: "max", cls: "s-max", values: rows.map((r) => r.maxMs), dashed: true },
          ]
        : [],
      yFormat: (v) => (v >= 1000 ? `${tickText(v / 1000)} s` : `${tickText(v)} ms`),
      yKind: log ? "log" : "linear",
      height: 250,
      // max first, so the percentiles are drawn over it where they meet.
      drawReversed: true,
    },
    scale,
    overlays,
  );
  return throughput + errorRate + latency;
}

/** A chart of one gauge metric, one line per tag set (replication lag per member, ...). */
export function gaugeChart(
  id: string,
  title: string,
  unit: string,
  lines: GaugeLine[],
  intervalMs: number,
  scale: TimeScale,
  overlays: Overlays,
  yFormat: (v: number) => string,
): string {
  // Gauges are sampled per bucket; align them on one grid of bucket starts.
  const times = [...new Set(lines.flatMap((l) => l.points.map((p) => p.tMs)))].sort((a, b) => a - b);
  const atMs = times.map((t) => Math.min(scale.endMs, t + intervalMs / 2));
  const palette = ["s-c0", "s-c1", "s-c2", "s-c3", "s-c4", "s-c5"];
  const series = lines.map((l, i) => {
    const byT = new Map(l.points.map((p) => [p.tMs, p.value]));
    const label = Object.values(l.tags).join(" ") || l.metric;
    return { name: label, cls: palette[i % palette.length]!, values: times.map((t) => byT.get(t)) };
  });
  const tips = times.map(
    (t, i) =>
      `${formatRunTime(t)}\n${series.map((s) => `${s.name}: ${s.values[i] === undefined ? "—" : yFormat(s.values[i]!)}`).join("\n")}`,
  );
  return chart({ id, title, unit, series, atMs, tips, columnMs: intervalMs, yFormat, height: 170 }, scale, overlays);
}

/** Bytes for an axis: `0 B`, `512 kB`, `3 MB`. */
export function bytesText(v: number): string {
  if (v >= 1e9) return `${tickText(v / 1e9)} GB`;
  if (v >= 1e6) return `${tickText(v / 1e6)} MB`;
  if (v >= 1e3) return `${tickText(v / 1e3)} kB`;
  return `${tickText(v)} B`;
}
