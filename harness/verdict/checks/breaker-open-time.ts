import type { Series } from "../../timeline/index.ts";
import type { Tags, TimelineEvent } from "../../timeline/types.ts";
import { ParamReader } from "./params.ts";
import { seconds } from "./rate-per-interval.ts";
import { firstInject } from "./recovery-time.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/** Params of `breaker_open_time`. */
export interface BreakerOpenTimeParams {
  /** The `dependency` label of the breaker watched. Default: the faulted link (the inject's `link`, else its `target`). */
  dependency?: string;
  /** The scraped breaker-state gauge (0 closed, 1 half-open, 2 open). Default `app_circuit_breaker_state`. */
  stateMetric?: string;
  /** The scraped transitions counter, labelled `to`. Default `app_circuit_breaker_transitions_total`. */
  transitionsMetric?: string;
  /** Measure from this fault's `fault.inject`. Default: the first fault injected (in the phase, if given). */
  faultId?: string;
}

/** Where a breaker was first seen open after a fault, read from the scraped app metrics. */
export interface BreakerWatch {
  inject: TimelineEvent;
  dependency: string;
  /** Run-clock ms of the fault's revert; undefined when it was never reverted before the end. */
  revertAtMs: number | undefined;
  /** Whether either breaker metric was recorded for the dependency at all. */
  recorded: boolean;
  /** Timeline intervals holding a reading of a breaker metric of the dependency (per series), inject to revert. */
  readings: number;
  /**
   * End of the first timeline interval in which a breaker of the dependency read open (the
   * state gauge at 2, or a new `to="open"` transition): it was open by then. Undefined: never.
   */
  seenOpenAtMs: number | undefined;
  /** Services (the probe's target tag) whose breaker was seen open. */
  openOn: string[];
}

/** Options shared by the breaker checks. */
export interface BreakerWatchOptions {
  faultId: string | undefined;
  dependency: string | undefined;
  stateMetric: string;
  transitionsMetric: string;
}

/** The gauge value of an open breaker (prom-client's convention in the webstack app, cockatiel's states). */
const OPEN = 2;

/**
 * Watch the faulted dependency's breakers from the inject to one interval after the revert (the
 * scrape that follows may be the first to show an open that happened before it).
 * Returns why not, as a string, when there is no fault to watch from.
 */
export function watchBreaker(ctx: CheckContext, o: BreakerWatchOptions, tags: Tags): BreakerWatch | string {
  const { timeline } = ctx;
  const inject = firstInject(timeline.events, o.faultId, ctx);
  if (!inject) return o.faultId ? `fault ${o.faultId} was never injected` : "no fault was injected";
  const dependency = o.dependency ?? faultedLink(inject);
  if (!dependency) return `fault ${inject.name} names no link: set checkParams dependency`;
  const revert = timeline.events.find(
    (e) => e.kind === "fault.revert" && e.name === inject.name && e.atMs >= inject.atMs && e.atMs <= ctx.endMs,
  );
  const interval = timeline.intervalMs;
  const fromIndex = Math.floor(inject.atMs / interval);
  const toIndex = Math.floor((revert?.atMs ?? ctx.endMs) / interval) + 1;
  const withDependency = { ...tags, dependency };
  const states = timeline.match(o.stateMetric, withDependency);
  const opens = timeline.match(o.transitionsMetric, { ...withDependency, to: "open" });

  let readings = 0;
  let firstIndex: number | undefined;
  const openOn = new Set<string>();
  const seen = (s: Series, index: number) => {
    if (firstIndex === undefined || index < firstIndex) firstIndex = index;
    openOn.add(targetOf(s));
  };
  for (const s of states) {
    for (const [index, b] of s.buckets) {
      if (index < fromIndex || index > toIndex) continue;
      readings++;
      if ((b as { max: number }).max >= OPEN) seen(s, index);
    }
  }
  for (const s of opens) {
    // A counter series appears with its first transition: no reading before the inject means 0.
    let before = 0;
    let beforeIndex = -1;
    for (const [index, b] of s.buckets) {
      if (index < fromIndex && index > beforeIndex) {
        beforeIndex = index;
        before = (b as { last: number }).last;
      }
    }
    for (const [index, b] of s.buckets) {
      if (index < fromIndex || index > toIndex) continue;
      readings++;
      if ((b as { max: number }).max > before) seen(s, index);
    }
  }
  return {
    inject,
    dependency,
    revertAtMs: revert?.atMs,
    recorded: states.length + opens.length > 0,
    readings,
    seenOpenAtMs:
      firstIndex === undefined ? undefined : Math.max(inject.atMs, Math.min((firstIndex + 1) * interval, ctx.endMs)),
    openOn: [...openOn].sort(),
  };
}

/**
 * `breaker_open_time` (ms): from the fault's `fault.inject` until a circuit breaker of the
 * faulted dependency is first seen open in the apps' scraped metrics (`circuit_breaker_state` at
 * 2, or a new `circuit_breaker_transitions_total{to="open"}`), on any app. Resolution: one
 * timeline interval; the value is the end of the interval holding the first open reading, so it
 * never flatters. A breaker never seen open while the fault lasted (or by the end) is measured
 * with `atLeast` (the threshold fails): a breaker that does not open is the failure this gates.
 * Not measured when no fault was injected, neither metric was recorded for the dependency, or
 * there is no reading after the inject.
 */
export function breakerOpenTime(params?: Readonly<Record<string, unknown>>): Check {
  const p = new ParamReader("breaker_open_time", params);
  const options: BreakerWatchOptions = {
    dependency: p.string("dependency"),
    stateMetric: p.string("stateMetric", "app_circuit_breaker_state"),
    transitionsMetric: p.string("transitionsMetric", "app_circuit_breaker_transitions_total"),
    faultId: p.string("faultId"),
  };
  p.done();

  return {
    name: "breaker_open_time",
    measure(ctx: CheckContext): CheckResult {
      const w = watchBreaker(ctx, options, ctx.tags);
      if (typeof w === "string") return { measured: false, reason: w };
      const { inject, dependency } = w;
      if (!w.recorded) {
        return {
          measured: false,
          reason: `neither ${options.stateMetric} nor ${options.transitionsMetric} was recorded for dependency ${dependency} (is the app scraped?)`,
        };
      }
      if (w.readings === 0) {
        return {
          measured: false,
          reason: `no reading of ${dependency}'s breaker after fault ${inject.name} at ${seconds(inject.atMs)}`,
        };
      }
      const data = { faultId: inject.name, dependency, injectAtMs: inject.atMs, revertAtMs: w.revertAtMs };
      if (w.seenOpenAtMs === undefined) {
        const untilMs = w.revertAtMs ?? ctx.endMs;
        return {
          measured: true,
          value: Math.max(0, untilMs - inject.atMs),
          unit: "ms",
          atLeast: true,
          detail:
            `no breaker of ${dependency} was seen open in ${w.readings} interval readings from fault ${inject.name} ` +
            `at ${seconds(inject.atMs)} to ${w.revertAtMs === undefined ? "the end" : "its revert"} at ${seconds(untilMs)}`,
          data,
        };
      }
      return {
        measured: true,
        value: w.seenOpenAtMs - inject.atMs,
        unit: "ms",
        detail:
          `breaker of ${dependency} open by ${seconds(w.seenOpenAtMs)} on ${w.openOn.join(", ")}, after fault ` +
          `${inject.name} at ${seconds(inject.atMs)} (resolution ${ctx.timeline.intervalMs} ms)`,
        data: { ...data, seenOpenAtMs: w.seenOpenAtMs, openOn: w.openOn },
      };
    },
  };
}

/** The Toxiproxy link a fault hit (toxic faults record `link`), else its target. */
function faultedLink(e: TimelineEvent): string | undefined {
  const d = e.data ?? {};
  if (typeof d.link === "string" && d.link !== "") return d.link;
  return typeof d.target === "string" && d.target !== "" ? d.target : undefined;
}

function targetOf(s: Series): string {
  return s.tags.app ?? s.tags.service ?? Object.values(s.tags).join("/");
}
