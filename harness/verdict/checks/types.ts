import type { Timeline, Window } from "../../timeline/index.ts";
import type { Tags } from "../../timeline/types.ts";

/** What a resilience check reads. */
export interface CheckContext {
  timeline: Timeline;
  /** Sample tags from the threshold key (`recovery_time{endpoint:orders}`), `phase` excluded: filter the series read. */
  tags: Tags;
  /** The windows of `{phase:X}`; absent means the whole run. */
  windows?: readonly Window[];
  /** Run-clock ms the check looks up to: the timeline's end, or "now" while the run is going. */
  endMs: number;
}

/** A check's number, or why there is none. */
export type CheckResult =
  | {
      measured: true;
      /** In `unit`. */
      value: number;
      /** "ms", "count", "" (a plain ratio). */
      unit: string;
      /** One sentence a reviewer reads next to the number. */
      detail: string;
      /**
       * True when the awaited event never happened before `endMs` (never recovered, no new
       * leader): the real value is at least `value`, possibly infinite.
       */
      atLeast?: boolean;
      /** Extra figures for reports (e.g. lost_writes' `indeterminate`). */
      data?: Record<string, unknown>;
    }
  | { measured: false; reason: string };

/** A resilience metric computed from the timeline. Built from validated params by its factory. */
export interface Check {
  readonly name: string;
  measure(ctx: CheckContext): CheckResult;
}

/** Builds a check from scenario params; throws HARNESS_SCENARIO_INVALID listing every bad param. */
export type CheckFactory = (params?: Readonly<Record<string, unknown>>) => Check;
