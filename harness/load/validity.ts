import type { HealthFigures } from "./health.ts";

/** Why a run cannot be judged: the generator, not the target, set the numbers. */
export interface ValidityReason {
  /** `generator_dropped`, `generator_late`, `rate_not_achieved`, `event_loop_lag`, `generator_cpu`. */
  code: string;
  /** One line naming the figure and the limit. */
  message: string;
}

export interface Validity {
  valid: boolean;
  reasons: ValidityReason[];
}

/** Limits beyond which a run is invalid. Every field is optional; the defaults are below. */
export interface ValidityLimits {
  /**
   * Late requests (sent more than `lateAfterMs` after their intended time) as a fraction of sent.
   * Default 0.05: a late request's latency still counts from its intended time (pessimistic, not
   * hidden), so a few do not falsify the run; many mean the target never saw the planned rate.
   */
  maxLateFraction?: number;
  /** Dropped arrivals as a fraction of offered. Default 0.001. */
  maxDroppedFraction?: number;
  /** Achieved rate may fall this far below the offered rate (fraction). Default 0.01. */
  maxRateShortfall?: number;
  /** Highest per-interval p99 event-loop lag, ms. Default 200. */
  maxEventLoopLagMs?: number;
  /** Mean generator CPU over the run, fraction of one core. Default 0.9. */
  maxGeneratorCpu?: number;
}

/** What the engine measured about itself. */
export interface GeneratorFigures {
  model: "open" | "closed";
  /** Open model: arrivals the schedule offered while the run ran. */
  offered: number;
  /** Requests actually sent. */
  sent: number;
  late: number;
  dropped: number;
  health: HealthFigures;
}

/** Judge whether the generator kept up. Pure: figures in, verdict out. */
export function judgeValidity(f: GeneratorFigures, limits: ValidityLimits = {}): Validity {
  const maxLate = limits.maxLateFraction ?? 0.05;
  const maxDropped = limits.maxDroppedFraction ?? 0.001;
  const maxShortfall = limits.maxRateShortfall ?? 0.01;
  const maxLag = limits.maxEventLoopLagMs ?? 200;
  const maxCpu = limits.maxGeneratorCpu ?? 0.9;
  const reasons: ValidityReason[] = [];
  const pct = (x: number): string => `${Math.round(x * 10_000) / 100}%`;
  if (f.model === "open" && f.offered > 0) {
    if (f.dropped / f.offered > maxDropped) {
      reasons.push({
        code: "generator_dropped",
        message: `${f.dropped} of ${f.offered} arrivals dropped (${pct(f.dropped / f.offered)}, limit ${pct(maxDropped)}): too many requests in flight or the generator fell behind`,
      });
    }
    if (f.sent > 0 && f.late / f.sent > maxLate) {
      reasons.push({
        code: "generator_late",
        message: `${f.late} of ${f.sent} requests sent late (${pct(f.late / f.sent)}, limit ${pct(maxLate)}): the generator could not keep the schedule`,
      });
    }
    if (f.sent < f.offered * (1 - maxShortfall)) {
      reasons.push({
        code: "rate_not_achieved",
        message: `achieved ${f.sent} of ${f.offered} offered requests (${pct(f.sent / f.offered)})`,
      });
    }
  }
  if (f.health.maxEventLoopLagMs > maxLag) {
    reasons.push({
      code: "event_loop_lag",
      message: `generator event loop lagged ${Math.round(f.health.maxEventLoopLagMs)} ms (p99 of an interval, limit ${maxLag} ms)`,
    });
  }
  if (f.health.meanCpu > maxCpu) {
    reasons.push({
      code: "generator_cpu",
      message: `generator used ${pct(f.health.meanCpu)} of a core on average (limit ${pct(maxCpu)}): it was saturated`,
    });
  }
  return { valid: reasons.length === 0, reasons };
}
