import type { Window } from "../../timeline/index.ts";
import { alignToBuckets, windowsSpanMs } from "../windows.ts";
import { ParamReader } from "./params.ts";
import { percent, seconds } from "./rate-per-interval.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/** Params of `error_budget_burn`. */
export interface ErrorBudgetBurnParams {
  /** The error rate the SLO allows, a fraction: 0.001 for a 99.9% SLO. Default 0.001. */
  sloErrorRate?: number;
  /** Only the last this-many ms (or a duration such as `1m`) before the end. Default: the whole run or phase. */
  windowMs?: number | string;
  /** The rate metric whose passes are errors. Default `http_req_failed`. */
  metric?: string;
}

/**
 * `error_budget_burn` (a ratio): the error rate over the window divided by the SLO's allowed
 * error rate. 1 spends the budget exactly as fast as the SLO allows; 14.4 over an hour is the
 * classic fast-burn page. The window is the threshold's phase (`{phase:X}`), else the whole run,
 * narrowed to the last `windowMs` when given, then shrunk to whole timeline intervals (as
 * phase thresholds are). Other tags filter the series.
 * Not measured when the metric was never recorded or the window holds no samples.
 */
export function errorBudgetBurn(params?: Readonly<Record<string, unknown>>): Check {
  const p = new ParamReader("error_budget_burn", params);
  const slo = p.number("sloErrorRate", 0.001, 0, 1, true);
  const windowMs = params?.windowMs === undefined ? undefined : p.durationMs("windowMs", 60_000);
  const metric = p.string("metric", "http_req_failed");
  p.done();

  return {
    name: "error_budget_burn",
    measure(ctx: CheckContext): CheckResult {
      const trailing =
        windowMs === undefined ? undefined : { fromMs: Math.max(0, ctx.endMs - windowMs), toMs: ctx.endMs };
      let windows: readonly Window[] | undefined = ctx.windows;
      if (trailing) {
        windows = (ctx.windows ?? [trailing])
          .map((w) => ({ fromMs: Math.max(w.fromMs, trailing.fromMs), toMs: Math.min(w.toMs, trailing.toMs) }))
          .filter((w) => w.toMs > w.fromMs);
      }
      // Whole intervals only, so errors from a neighbouring phase never count here.
      if (windows) windows = alignToBuckets(windows, ctx.timeline.intervalMs, ctx.endMs);
      if (windows && windows.length === 0) {
        return {
          measured: false,
          reason: `the window is shorter than one timeline interval (${ctx.timeline.intervalMs} ms)`,
        };
      }
      const sel = windows ? { metric, tags: ctx.tags, windows } : { metric, tags: ctx.tags };
      const agg = ctx.timeline.aggregate(sel);
      if (!agg) return { measured: false, reason: `metric ${metric} was never recorded` };
      if (agg.type !== "rate") return { measured: false, reason: `${metric} is a ${agg.type}, not a rate metric` };
      if (!agg.total) return { measured: false, reason: `no samples of ${metric} in the window` };
      const rate = (agg.passes ?? 0) / agg.total;
      const spanMs = windows ? windowsSpanMs(windows, ctx.endMs) : ctx.endMs;
      const burn = rate / slo;
      return {
        measured: true,
        value: burn,
        unit: "",
        detail: `error rate ${percent(rate)} (${agg.passes ?? 0}/${agg.total}) over ${seconds(spanMs)} vs ${percent(slo)} allowed: burn ${burn.toFixed(2)}x`,
        data: { errorRate: rate, sloErrorRate: slo, errors: agg.passes ?? 0, requests: agg.total },
      };
    },
  };
}
