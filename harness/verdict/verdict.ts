import { ExitCode } from "../errors.ts";
import type { Timeline } from "../timeline/index.ts";
import type { ThresholdResult, Verdict } from "./types.ts";

/** What the orchestrator knows about a run beyond its thresholds. */
export interface RunValidity {
  /** Why the numbers cannot be trusted (generator saturated, ...). `validity` events on the timeline are added. */
  invalidReasons?: readonly string[];
  /** The run was interrupted (SIGINT / SIGTERM) before it finished. */
  aborted?: boolean;
}

/**
 * The run's verdict from its threshold results, first rule that applies:
 *
 * 1. `aborted`: the run was interrupted (Ctrl-C): its thresholds are shown but judge nothing.
 * 2. `fail`: a threshold failed. A measured failure is a finding even on an invalid run, so it
 *    wins over `invalid` (both exit non-zero; the report lists the invalid reasons too). A
 *    resilience check that never reached its event (never recovered) is a failure here.
 * 3. `invalid`: a threshold was not measured (DESIGN: never a pass), or the run was invalid
 *    (generator saturated, `validity` events). k6 would pass an empty metric; we do not.
 * 4. `pass`: every threshold was measured and held (also when there are none, as in k6).
 *
 * `invalidReasons` lists the run's invalid reasons, then one line per threshold not measured.
 */
export function decideVerdict(results: ThresholdResult[], timeline: Timeline, runValidity: RunValidity = {}): Verdict {
  const invalidReasons: string[] = [...(runValidity.invalidReasons ?? [])];
  for (const e of timeline.events) {
    if (e.kind !== "validity") continue;
    const message = typeof e.data?.message === "string" ? e.data.message : "";
    invalidReasons.push(message ? `${e.name}: ${message}` : e.name);
  }
  for (const r of results) {
    if (r.status === "not_measured")
      invalidReasons.push(`not measured: ${r.metric} ${r.expression}: ${r.reason ?? ""}`);
  }
  let status: Verdict["status"];
  if (runValidity.aborted) status = "aborted";
  else if (results.some((r) => r.status === "fail")) status = "fail";
  else if (invalidReasons.length > 0) status = "invalid";
  else status = "pass";
  return { status, thresholds: results, invalidReasons };
}

/** The process exit code for a verdict (harness/errors.ts table): 0 pass, 1 fail, 4 invalid, 130 aborted. */
export function exitCodeFor(verdict: Verdict): ExitCode {
  switch (verdict.status) {
    case "pass":
      return ExitCode.pass;
    case "fail":
      return ExitCode.sloFailed;
    case "invalid":
      return ExitCode.invalid;
    case "aborted":
      return ExitCode.interrupted;
  }
}
