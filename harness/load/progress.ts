import type { Timeline } from "../timeline/index.ts";
import type { LoadResult } from "./engines/engine.ts";

/** One progress reading, taken every timeline interval while load runs. */
export interface ProgressSnapshot {
  /** ms since the load started. */
  elapsedMs: number;
  /** Planned load length, ms. */
  plannedMs: number;
  /** The phase of the latest `phase` event, if any. */
  phase: string | undefined;
  /** Requests recorded in the last finished interval, per second. */
  reqPerS: number;
  /** http_req_duration percentiles of that interval, ms (undefined without samples). */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Failed requests in that interval. */
  errors: number;
  inFlight: number;
  /** Totals so far. */
  late: number;
  dropped: number;
}

/** Read the last finished interval (`atMs` minus one interval) off the timeline. */
export function readProgress(
  timeline: Timeline,
  atMs: number,
  startedAtMs: number,
  plannedMs: number,
  inFlight: number,
): ProgressSnapshot {
  const width = timeline.intervalMs;
  const t = (Math.floor(atMs / width) - 1) * width;
  const windows = [{ fromMs: t, toMs: t + width }];
  const latency = timeline.intervals({ metric: "http_req_duration", windows })[0];
  const failed = timeline.intervals({ metric: "http_req_failed", windows })[0];
  const reqs = timeline.intervals({ metric: "http_reqs", windows })[0];
  let phase: string | undefined;
  for (let i = timeline.events.length - 1; i >= 0; i--) {
    if (timeline.events[i]!.kind === "phase") {
      phase = timeline.events[i]!.name;
      break;
    }
  }
  return {
    elapsedMs: atMs - startedAtMs,
    plannedMs,
    phase,
    reqPerS: reqs?.perS ?? 0,
    p50Ms: latency?.p50,
    p99Ms: latency?.p99,
    errors: failed?.passes ?? 0,
    inFlight,
    late: timeline.aggregate({ metric: "generator_late" })?.total ?? 0,
    dropped: timeline.aggregate({ metric: "generator_dropped" })?.total ?? 0,
  };
}

/** `12.0s/60s steady 498 req/s p50 1.2ms p99 8.4ms err 0 inflight 3` */
export function formatProgress(p: ProgressSnapshot): string {
  const ms = (v: number | undefined): string =>
    v === undefined ? "-" : v < 10 ? `${v.toFixed(1)}ms` : `${Math.round(v)}ms`;
  const parts = [
    `${(p.elapsedMs / 1000).toFixed(1)}s/${Math.round(p.plannedMs / 1000)}s`,
    p.phase ?? "-",
    `${Math.round(p.reqPerS)} req/s`,
    `p50 ${ms(p.p50Ms)}`,
    `p99 ${ms(p.p99Ms)}`,
    `err ${p.errors}`,
    `inflight ${p.inFlight}`,
  ];
  if (p.late > 0) parts.push(`late ${p.late}`);
  if (p.dropped > 0) parts.push(`dropped ${p.dropped}`);
  return parts.join(" ");
}

/**
 * An onProgress that prints: on a TTY one live line rewritten in place, otherwise a plain line
 * every `everyMs` (default 10000). Call the returned `end()` to finish the live line.
 */
export function progressPrinter(
  stream: NodeJS.WriteStream = process.stderr,
  everyMs = 10_000,
): { onProgress: (p: ProgressSnapshot) => void; end: () => void } {
  const live = stream.isTTY === true;
  let lastPlain = Number.NEGATIVE_INFINITY;
  let wrote = false;
  return {
    onProgress(p) {
      if (live) {
        stream.write(`\r\x1b[2K${formatProgress(p)}`);
        wrote = true;
      } else if (p.elapsedMs - lastPlain >= everyMs) {
        lastPlain = p.elapsedMs;
        stream.write(`${formatProgress(p)}\n`);
      }
    },
    end() {
      if (live && wrote) stream.write("\n");
    },
  };
}

/** A finished load in a few lines for a terminal or a log. */
export function formatResult(r: LoadResult): string[] {
  const perS = (n: number): string => `${Math.round(n * 10) / 10}/s`;
  const lines = [
    `load ${r.engine} ${r.executor} (${r.model} model) ended by ${r.stoppedBy} after ${(r.issuedForMs / 1000).toFixed(1)}s: sent ${r.sent} of ${r.offered} offered (${perS(r.achievedPerS)} achieved, ${perS(r.offeredPerS)} offered)`,
    `  completed ${r.completed}, failed ${r.failed}, late ${r.late}, dropped ${r.dropped}, aborted ${r.aborted}; generator cpu ${Math.round(r.health.meanCpu * 100)}%, event-loop lag max ${Math.round(r.health.maxEventLoopLagMs)} ms`,
  ];
  if (r.breakingPoint) {
    const b = r.breakingPoint;
    lines.push(
      `  breaking point: ${Math.round(b.target)} ${b.unit} at ${(b.atMs / 1000).toFixed(1)}s (${b.reason}; ${perS(b.achievedPerS)} answered)`,
    );
  }
  const w = r.ledger;
  if (w.acknowledged.length + w.indeterminate.length + w.failed > 0) {
    lines.push(
      `  writes: ${w.acknowledged.length} acknowledged, ${w.indeterminate.length} indeterminate, ${w.failed} failed`,
    );
  }
  lines.push(
    r.validity.valid ? "  run valid" : `  run INVALID: ${r.validity.reasons.map((x) => x.message).join("; ")}`,
  );
  return lines;
}
