import type { Overlays } from "./charts.ts";
import { overlayShapes } from "./charts.ts";
import { esc } from "./escape.ts";
import { LEFT, PLOT_WIDTH, round, type TimeScale, timeAxis, WIDTH } from "./svg.ts";

/** One bar on a lane. `cls` picks the colour (`ok`, `warn`, `bad`, `m0`..`m5`, `ph-steady`, ...). */
export interface LaneSegment {
  fromMs: number;
  toMs: number;
  label: string;
  cls: string;
  tip: string;
}

/** One marker on a lane (a container event, a warning). */
export interface LaneMarker {
  atMs: number;
  cls: string;
  tip: string;
}

/** One row of the lanes figure: a name on the left, bars and markers on the shared time axis. */
export interface LaneRow {
  label: string;
  /** Hover text of the label (defaults to the label). */
  tip?: string;
  /** The group the row belongs to, written small above it when it changes: `probes`, `containers`. */
  group?: string;
  segments?: LaneSegment[];
  markers?: LaneMarker[];
  /** Draw a thin line for the whole run (a container lane with nothing wrong is still a lane). */
  baseline?: boolean;
}

const ROW = 26;
const BAR = 18;
const GROUP_GAP = 18;
/** Lane names longer than this are cut (the full name is in the hover text): they must fit left of the axis. */
const LABEL_CHARS = 15;

/** Approximate text width at the lane font size (11 px DejaVu Sans), for fitting labels in bars. */
function textWidth(s: string): number {
  return s.length * 6.6;
}

/** The lanes figure: every row on the run's time axis, fault windows shaded behind. */
export function lanes(rows: LaneRow[], scale: TimeScale, overlays: Overlays): string {
  if (rows.length === 0) return "";
  let y = 8;
  const body: string[] = [];
  let group: string | undefined;
  for (const row of rows) {
    if (row.group && row.group !== group) {
      y += group === undefined ? 6 : GROUP_GAP;
      body.push(`<text class="lane-group" x="8" y="${y}">${esc(row.group)}</text>`);
      y += 6;
      group = row.group;
    }
    const mid = y + ROW / 2;
    const label = row.label.length > LABEL_CHARS ? `${row.label.slice(0, LABEL_CHARS - 1)}…` : row.label;
    body.push(
      `<text class="lane-label" x="${LEFT - 8}" y="${mid + 4}" text-anchor="end" data-tip="${esc(row.tip ?? row.label)}">${esc(label)}</text>`,
    );
    if (row.baseline) {
      body.push(`<line class="lane-base" x1="${LEFT}" y1="${mid}" x2="${LEFT + PLOT_WIDTH}" y2="${mid}"/>`);
    }
    for (const s of row.segments ?? []) {
      const x1 = scale.x(s.fromMs);
      const w = round(Math.max(2, scale.x(s.toMs) - x1));
      body.push(
        `<rect class="seg ${esc(s.cls)}" x="${x1}" y="${mid - BAR / 2}" width="${w}" height="${BAR}" rx="3" data-tip="${esc(s.tip)}"/>`,
      );
      if (textWidth(s.label) + 10 < w) {
        body.push(`<text class="seg-label" x="${round(x1 + 5)}" y="${mid + 4}">${esc(s.label)}</text>`);
      }
    }
    for (const m of row.markers ?? []) {
      const x = scale.x(m.atMs);
      body.push(
        `<path class="marker ${esc(m.cls)}" d="M${x},${mid - 7}L${round(x + 6)},${mid}L${x},${mid + 7}L${round(x - 6)},${mid}Z" data-tip="${esc(m.tip)}"/>`,
      );
    }
    y += ROW;
  }
  const bottom = y + 4;
  const height = bottom + 40;
  const svg = `<svg class="plot lanes" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline lanes" data-left="${LEFT}" data-width="${PLOT_WIDTH}">${timeAxis(scale, 4, bottom)}${overlayShapes(scale, overlays, 4, bottom, false)}${body.join("")}<line class="cursor" visibility="hidden" x1="-10" y1="4" x2="-10" y2="${bottom}"/></svg>`;
  return `<figure class="chart" id="lanes"><div class="chart-head"><h3>Timeline <span class="unit">phases, faults, probes and containers</span></h3></div>${svg}</figure>`;
}
