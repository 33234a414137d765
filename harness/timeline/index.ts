export { type Clock, type ManualClock, manualClock, systemClock } from "./clock.ts";
export {
  type Aggregate,
  type Histogram,
  type IntervalPoint,
  newHistogram,
  percentile,
  type Selector,
  Series,
  Timeline,
  type TimelineOptions,
  TREND_SCALE,
  type Window,
} from "./timeline.ts";
export type * from "./types.ts";
export { overlaps, phaseWindows, sliceWindow, unionWindows } from "./windows.ts";
