export { renderHtml } from "./html/render.ts";
export { type IntervalRow, type Intervals, intervalStats } from "./intervals.ts";
export { parseSummaryJson, renderSummaryJson } from "./json.ts";
export { renderJUnit } from "./junit.ts";
export { renderMarkdown } from "./markdown.ts";
export type * from "./types.ts";
export { exitMeaning } from "./types.ts";
export { faultsFromTimeline, phasesFromTimeline } from "./windows.ts";
export { type WriteReportsInput, writeReports } from "./write.ts";
