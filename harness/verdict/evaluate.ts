import { percentile, type Timeline, type Window } from "../timeline/index.ts";
import { type Check, checks } from "./checks/index.ts";
import {
  methodLabel,
  methodProblem,
  msPerUnit,
  type ParsedThreshold,
  parseThresholds,
  type ThresholdExpression,
  type ThresholdOperator,
  type ThresholdsConfig,
} from "./parse.ts";
import type { ThresholdResult, Verdict } from "./types.ts";
import { decideVerdict, type RunValidity } from "./verdict.ts";
import { alignToBuckets, phaseWindows, windowsSpanMs } from "./windows.ts";

/**
 * The evaluator: reads the number a threshold names from the timeline, then compares it as k6
 * does (float comparison; `===` is `==`).
 *
 * Reading rules:
 * - trend: avg = sum / count, min, max, med = p(50), p(N) from the merged HdrHistograms (3
 *   significant digits), in the metric's unit.
 * - rate: passes / total. counter: count = the sum; rate = count per second of the window(s).
 *   gauge: the last value written in the window(s).
 * - resilience checks (`recovery_time`, ...): the check's own number, in its unit.
 * - `{phase:X}` reads the windows of phase X, shrunk to whole timeline intervals (see
 *   alignToBuckets); other tags keep the series carrying them.
 *
 * Not measured (counts as failure, never as a pass):
 * - the metric was never defined on the timeline (and is not a check);
 * - the phase never started, or its windows are shorter than one interval;
 * - trend, rate, gauge: no sample in the window(s);
 * - counter: a tag filter matched no series (a defined counter that was never incremented is a
 *   measured 0, as in k6, so `count==0` can pass);
 * - the method does not apply to the metric's type, or a duration value meets a metric without a
 *   time unit (a config error found only once the run defined the metric).
 */

/** Options of evaluate(). */
export interface EvaluateOptions {
  /** The scenario file the thresholds come from, named in parse errors. */
  scenarioFile?: string;
  /** What the orchestrator knows about the run's validity. `validity` events on the timeline add to it. */
  runValidity?: RunValidity;
  /** Params for resilience checks, by check name: `{ recovery_time: { holdMs: 10000 } }`. */
  checkParams?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Judge the timeline as it stood at this run-clock ms. Default: the timeline's end. */
  endMs?: number;
}

/** A number read for a threshold, or why there is none. */
export type Measurement =
  | {
      measured: true;
      value: number;
      /** Unit of `value` as ThresholdResult shows it. */
      unit: string;
      /** Time unit of the metric the value is in, for converting duration thresholds ("" when none). */
      metricUnit: string;
      /** The real value is at least `value` (an awaited event never came). */
      atLeast?: boolean;
      detail?: string;
    }
  | { measured: false; reason: string };

/** Build the checks once per evaluation (validates their params: throws HARNESS_SCENARIO_INVALID). */
export function buildChecks(checkParams: EvaluateOptions["checkParams"] = {}): Map<string, Check> {
  const out = new Map<string, Check>();
  for (const [name, factory] of Object.entries(checks)) out.set(name, factory(checkParams[name]));
  return out;
}

/**
 * Judge every threshold on the timeline and decide the run's verdict (see decideVerdict).
 * `thresholds` is the scenario's k6-style object (parsed here; a bad one throws
 * HARNESS_THRESHOLD_INVALID naming `scenarioFile`) or the output of parseThresholds.
 */
export function evaluate(
  timeline: Timeline,
  thresholds: ThresholdsConfig | readonly ParsedThreshold[],
  options: EvaluateOptions = {},
): Verdict {
  const parsed = Array.isArray(thresholds)
    ? (thresholds as readonly ParsedThreshold[])
    : parseThresholds(thresholds as ThresholdsConfig, { scenarioFile: options.scenarioFile });
  const endMs = options.endMs ?? timeline.endMs;
  const built = buildChecks(options.checkParams);
  const results = parsed.map((t) => judge(t, measure(timeline, t, built, endMs)));
  return decideVerdict(results, timeline, options.runValidity);
}

/** Read the number one threshold is judged on. */
export function measure(timeline: Timeline, t: ParsedThreshold, built: Map<string, Check>, endMs: number): Measurement {
  const { metric, expression } = t;
  const where = metric.phase === undefined ? "in the run" : `in phase ${metric.phase}`;
  let rawWindows: Window[] | undefined;
  let windows: Window[] | undefined;
  if (metric.phase !== undefined) {
    rawWindows = phaseWindows(timeline.events, metric.phase, endMs);
    if (!rawWindows) return { measured: false, reason: `phase ${metric.phase} never started` };
    windows = alignToBuckets(rawWindows, timeline.intervalMs, endMs);
    if (windows.length === 0) {
      return {
        measured: false,
        reason: `phase ${metric.phase} is shorter than one timeline interval (${timeline.intervalMs} ms)`,
      };
    }
  }

  const check = built.get(metric.name);
  if (check) {
    const r = check.measure({ timeline, tags: metric.tags, endMs, ...(rawWindows ? { windows: rawWindows } : {}) });
    if (!r.measured) return { measured: false, reason: `${metric.name}: ${r.reason}` };
    return {
      measured: true,
      value: r.value,
      unit: r.unit,
      metricUnit: r.unit,
      detail: r.detail,
      ...(r.atLeast ? { atLeast: true } : {}),
    };
  }

  const info = timeline.metrics.get(metric.name);
  if (!info) return { measured: false, reason: `metric ${metric.name} was never recorded` };
  const problem = methodProblem(metric.name, info.type, expression.method);
  if (problem) return { measured: false, reason: problem };

  const tagText = Object.keys(metric.tags).length > 0 ? `{${formatTags(metric.tags)}}` : "";
  const noSamples = `no samples of ${metric.name}${tagText} ${where}`;
  const agg = timeline.aggregate(
    windows ? { metric: metric.name, tags: metric.tags, windows } : { metric: metric.name, tags: metric.tags },
  );
  if (!agg) return { measured: false, reason: `metric ${metric.name} was never recorded` };

  switch (info.type) {
    case "trend": {
      if (agg.samples === 0 || !agg.histogram) return { measured: false, reason: noSamples };
      const h = agg.histogram;
      let value: number;
      switch (expression.method) {
        case "avg":
          value = (agg.sum ?? 0) / agg.samples;
          break;
        case "min":
          value = agg.min ?? 0;
          break;
        case "max":
          value = agg.max ?? 0;
          break;
        case "med":
          value = percentile(h, 50);
          break;
        default:
          value = percentile(h, expression.percentile ?? 0);
      }
      // The histogram reports a bucket's highest equivalent value; the exact min and max bound it.
      if (expression.method === "med" || expression.method === "p") {
        value = Math.min(Math.max(value, agg.min ?? value), agg.max ?? value);
      }
      h.destroy();
      return { measured: true, value, unit: info.unit, metricUnit: info.unit };
    }
    case "rate": {
      if (!agg.total) return { measured: false, reason: noSamples };
      return { measured: true, value: (agg.passes ?? 0) / agg.total, unit: "rate", metricUnit: "" };
    }
    case "gauge": {
      if (agg.samples === 0 || agg.last === undefined) return { measured: false, reason: noSamples };
      return { measured: true, value: agg.last, unit: info.unit, metricUnit: info.unit };
    }
    case "counter": {
      if (tagText && agg.seriesCount === 0) {
        return { measured: false, reason: `no series of ${metric.name} match {${formatTags(metric.tags)}}` };
      }
      const count = agg.total ?? 0;
      if (expression.method === "count") return { measured: true, value: count, unit: "count", metricUnit: "" };
      const spanMs = windows ? windowsSpanMs(windows, endMs) : endMs;
      if (!(spanMs > 0)) return { measured: false, reason: `no time elapsed ${where}` };
      return { measured: true, value: count / (spanMs / 1000), unit: "/s", metricUnit: "" };
    }
  }
}

/** Compare a measurement with its expression and build the result the reports show. */
export function judge(t: ParsedThreshold, m: Measurement): ThresholdResult {
  const base: ThresholdResult = {
    metric: t.metric.key,
    expression: t.expression.source,
    status: "not_measured",
    abortOnFail: t.abortOnFail,
  };
  if (!m.measured) return { ...base, reason: m.reason };
  const rhs = thresholdValue(t.expression, m.metricUnit);
  if (typeof rhs === "string") return { ...base, observed: m.value, unit: m.unit, reason: rhs };
  const passes = compare(m.atLeast ? Number.POSITIVE_INFINITY : m.value, t.expression.operator, rhs);
  const out: ThresholdResult = { ...base, status: passes ? "pass" : "fail", observed: m.value, unit: m.unit };
  if (m.detail) out.detail = m.detail;
  if (m.atLeast) {
    out.observedAtLeast = true;
    out.reason = `at least ${formatNumber(m.value)}${m.unit ? ` ${m.unit}` : ""}: ${m.detail ?? "the awaited event never came"}`;
  } else if (!passes) {
    out.reason = `${methodText(t.expression)} = ${formatNumber(m.value)}${m.unit && m.unit !== "rate" ? ` ${m.unit}` : ""}, not ${t.expression.operator} ${formatNumber(rhs)}`;
  }
  return out;
}

/**
 * Whether the threshold has certainly failed, for abortOnFail during the run: a value that is
 * only a lower bound fails certainly only if it fails at the bound and at infinity alike.
 */
export function certainlyFails(t: ParsedThreshold, m: Measurement): boolean {
  if (!m.measured) return false;
  const rhs = thresholdValue(t.expression, m.metricUnit);
  if (typeof rhs === "string") return false;
  const op = t.expression.operator;
  if (!m.atLeast) return !compare(m.value, op, rhs);
  return !compare(m.value, op, rhs) && !compare(Number.POSITIVE_INFINITY, op, rhs);
}

/** The right-hand side in the metric's unit, or why it cannot be. */
function thresholdValue(e: ThresholdExpression, metricUnit: string): number | string {
  if (e.durationMs === undefined) return e.value;
  const per = msPerUnit(metricUnit);
  if (per === undefined) {
    return `the value ${e.source.split(e.operator).at(-1)?.trim()} is a duration, but the metric's unit is '${metricUnit || "none"}'`;
  }
  return e.durationMs / per;
}

/** k6's comparison: plain float operators, `===` the same as `==`. */
export function compare(lhs: number, op: ThresholdOperator, rhs: number): boolean {
  switch (op) {
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    case "==":
    case "===":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
  }
}

function methodText(e: ThresholdExpression): string {
  return e.method === "p" ? `p(${e.percentile})` : methodLabel(e.method);
}

function formatTags(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}:${v}`)
    .join(",");
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}
