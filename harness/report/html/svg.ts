import { esc } from "./escape.ts";

/** Width of every chart and lane in SVG user units; all share one time axis so they line up. */
export const WIDTH = 1140;
/** Room for y tick labels and lane names on the left. */
export const LEFT = 120;
/** Room on the right of the plot area. */
export const RIGHT = 24;
/** Width of the plot area every chart and lane shares. */
export const PLOT_WIDTH = WIDTH - LEFT - RIGHT;

/** Run-clock ms to x, shared by every chart of a report. */
export class TimeScale {
  readonly endMs: number;
  constructor(endMs: number) {
    this.endMs = Math.max(1, endMs);
  }
  x(ms: number): number {
    const clamped = Math.min(this.endMs, Math.max(0, ms));
    return round(LEFT + (clamped / this.endMs) * PLOT_WIDTH);
  }
}

/** A y mapping for one chart. */
export interface YScale {
  y(v: number): number;
  ticks: number[];
  kind: "linear" | "log";
}

/** Round to 0.1 user units: small SVG, no visible loss. */
export function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Tick values from 0 (or min) to at least max, with a 1/2/2.5/5 x 10^n step, about `target` of them. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag) as number;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 0.999 && ticks.length < 50; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Linear y from 0 to a nice top above `max`, over [top, bottom] pixels. */
export function linearY(max: number, top: number, bottom: number, target = 4): YScale {
  const ticks = niceTicks(0, max > 0 ? max : 1, target);
  const hi = ticks[ticks.length - 1]!;
  return { kind: "linear", ticks, y: (v) => round(bottom - (Math.max(0, v) / hi) * (bottom - top)) };
}

/** Log10 y covering [min, max] by whole decades (values at or under 0 sit on the floor). */
export function logY(min: number, max: number, top: number, bottom: number): YScale {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-3))));
  const ticks: number[] = [];
  for (let d = lo; d <= hi; d++) ticks.push(10 ** d);
  return {
    kind: "log",
    ticks,
    y: (v) => {
      const l = v > 0 ? Math.log10(v) : lo;
      return round(bottom - ((Math.min(hi, Math.max(lo, l)) - lo) / (hi - lo)) * (bottom - top));
    },
  };
}

/** Bottom time axis: ticks in seconds since run start, with vertical grid lines from `top`. */
export function timeAxis(scale: TimeScale, top: number, bottom: number, label = true): string {
  const endS = scale.endMs / 1000;
  const ticks = niceTicks(0, endS, 10).filter((s) => s <= endS + 1e-9);
  const parts: string[] = [];
  for (const s of ticks) {
    const x = scale.x(s * 1000);
    parts.push(`<line class="grid" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/>`);
    parts.push(`<line class="tick" x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}"/>`);
    parts.push(`<text class="tick-label" x="${x}" y="${bottom + 16}" text-anchor="middle">${esc(tickText(s))}</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" y1="${bottom}" x2="${LEFT + PLOT_WIDTH}" y2="${bottom}"/>`);
  if (label) {
    parts.push(
      `<text class="axis-label" x="${LEFT + PLOT_WIDTH}" y="${bottom + 32}" text-anchor="end">seconds since run start</text>`,
    );
  }
  return parts.join("");
}

/** Left y axis with horizontal grid lines; `format` writes each tick with its unit. */
export function yAxis(ys: YScale, format: (v: number) => string): string {
  const parts: string[] = [];
  for (const v of ys.ticks) {
    const y = ys.y(v);
    parts.push(`<line class="grid" x1="${LEFT}" y1="${y}" x2="${LEFT + PLOT_WIDTH}" y2="${y}"/>`);
    parts.push(`<text class="tick-label" x="${LEFT - 8}" y="${y + 4}" text-anchor="end">${esc(format(v))}</text>`);
  }
  return parts.join("");
}

/** A number for an axis tick: `0`, `2.5`, `1.5k`, `2M`. */
export function tickText(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${trim(v / 1e6)}M`;
  if (abs >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** A path through points; `undefined` values break the line. Returns the `d` and the isolated points. */
export function linePath(points: ReadonlyArray<{ x: number; y: number | undefined }>): {
  d: string;
  isolated: Array<{ x: number; y: number }>;
} {
  let d = "";
  const isolated: Array<{ x: number; y: number }> = [];
  let run: Array<{ x: number; y: number }> = [];
  const flush = (): void => {
    if (run.length === 1) isolated.push(run[0]!);
    else if (run.length > 1) d += `M${run.map((p) => `${p.x},${p.y}`).join("L")}`;
    run = [];
  };
  for (const p of points) {
    if (p.y === undefined || !Number.isFinite(p.y)) flush();
    else run.push({ x: p.x, y: p.y });
  }
  flush();
  return { d, isolated };
}
