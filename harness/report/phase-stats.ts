import { percentile, Timeline } from "../timeline/index.ts";
import type { TimelineJSON } from "../timeline/types.ts";
import type { PhaseSummary } from "./types.ts";

/** Request figures for one phase window, as the phases table shows them. */
export interface PhaseStats {
  phase: PhaseSummary;
  requests: number;
  /** Requests per second over the phase. */
  rps: number;
  /** `http_req_failed` rate in the phase, 0..1; undefined when nothing was checked. */
  errorRate?: number;
  p50Ms?: number;
  p99Ms?: number;
}

/**
 * Requests, error rate and latency per phase, read the way the verdict reads a `{phase:...}`
 * filter: every timeline bucket overlapping the phase window counts.
 */
export function phaseStats(json: TimelineJSON, phases: readonly PhaseSummary[]): PhaseStats[] {
  if (phases.length === 0) return [];
  const t = Timeline.fromJSON(json);
  return phases.map((phase) => {
    const windows = [{ fromMs: phase.fromMs, toMs: phase.toMs }];
    const reqs = t.aggregate({ metric: "http_reqs", windows });
    const failed = t.aggregate({ metric: "http_req_failed", windows });
    const latency = t.aggregate({ metric: "http_req_duration", windows });
    const requests = reqs ? (reqs.total ?? 0) : (latency?.samples ?? 0);
    const spanS = Math.max(0.001, (phase.toMs - phase.fromMs) / 1000);
    const out: PhaseStats = { phase, requests, rps: requests / spanS };
    if (failed?.total) out.errorRate = (failed.passes ?? 0) / failed.total;
    if (latency?.histogram && latency.samples > 0) {
      out.p50Ms = Math.min(latency.max!, percentile(latency.histogram, 50));
      out.p99Ms = Math.min(latency.max!, percentile(latency.histogram, 99));
    }
    latency?.histogram?.destroy();
    return out;
  });
}
