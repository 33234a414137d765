import type { Verdict } from "../verdict/types.ts";

/** Why a fault was reverted, as in the `fault.revert` event. */
export type FaultRevertReason = "scheduled" | "recovered" | "abort" | "error" | "signal";

/** One fault of the run, as the faults table shows it. Times are run-clock ms (0 = run start). */
export interface FaultSummary {
  /** Unique in the scenario; the name of its `fault.inject` / `fault.revert` events. */
  id: string;
  /** The catalog word: `latency`, `link-down`, `kill`, `kill-leader`, `expire-keys`, ... */
  kind: string;
  /** What it hit: a link, a service, a member. */
  target: string;
  /** The options as injected (units in the names: `latencyMs`, `durationS`, ...). */
  params: Record<string, unknown>;
  /** Run-clock ms when the fault took effect. */
  injectAtMs: number;
  /** Run-clock ms when the revert took effect; absent if it never was (a report must say so loudly). */
  revertAtMs?: number;
  /** Why it was reverted; absent when not reverted. */
  revertReason?: FaultRevertReason;
}

/** One phase window, [fromMs, toMs) on the run clock. */
export interface PhaseSummary {
  /** `warmup`, `steady`, `fault`, `recovery`, `post`. */
  name: string;
  fromMs: number;
  toMs: number;
}

/** One service of the topology as the run left it. */
export interface ServiceSummary {
  /** The compose service name: `db1`, `app2`, ... */
  name: string;
  /** Image reference: `harness/webstack-db:latest`. */
  image: string;
  /** Container state at the end of the run: `running`, `exited`, `healthy`, `paused`, ... */
  state: string;
  /** Optional role the harness knows of (`leader`, `replica`, `lb`). */
  role?: string;
}

/** What the load generator did, and whether its numbers can be trusted. */
export interface LoadSummary {
  /** One line per executor: `constant-arrival-rate 200/s for 60s (native engine)`. */
  executor: string;
  /** Arrivals the plan asked for, in requests per second (averaged over the load). */
  offeredRatePerS?: number;
  /** Requests actually sent, per second (averaged over the load). */
  achievedRatePerS?: number;
  /** Requests sent in total. */
  requests?: number;
  /** Requests sent later than intended by more than the lateness budget (`generator_late`). */
  late: number;
  /** Arrivals dropped because no VU / slot was free (`generator_dropped`). */
  dropped: number;
  /** Whether the generator kept up; false makes the run invalid. */
  valid: boolean;
  /** Why the load is not valid (empty when valid). */
  invalidReasons: string[];
}

/**
 * What `reports/<run-id>/summary.json` holds besides the timeline: the run's identity, outcome,
 * faults, phases, topology and load. Filled by the run orchestrator; plain JSON (no Date, no Map,
 * no undefined inside arrays). Times are run-clock ms unless named `...At` (ISO wall clock).
 */
export interface RunSummary {
  format: "harness.summary/v1";
  runId: string;
  /** The scenario's CLI word: `failover-primary`. */
  scenario: string;
  /** The scenario's one-line description. */
  description: string;
  /** Path of the scenario file, relative to the working directory, when known. */
  scenarioFile?: string;
  /** The compose file the topology came from (as given, relative paths kept). */
  composeFile: string;
  /** ISO wall-clock time of run clock 0. */
  startedAt: string;
  /** Wall time of the run from clock 0 to the end of the report, in ms. */
  durationMs: number;
  /** The process exit code: 0 pass, 1 SLO failed, 2 usage, 3 infrastructure, 4 invalid, 130 interrupted. */
  exitCode: number;
  /** The exit code's meaning in words (see `exitMeaning`). */
  exitMeaning: string;
  verdict: Verdict;
  faults: FaultSummary[];
  phases: PhaseSummary[];
  topology: { services: ServiceSummary[] };
  load: LoadSummary;
  /** `version` of the harness package that made the run. */
  harnessVersion: string;
}

/** The exit code table (harness/errors.ts) in words. */
export function exitMeaning(code: number): string {
  switch (code) {
    case 0:
      return "pass: every threshold held";
    case 1:
      return "an SLO threshold failed";
    case 2:
      return "usage or configuration error";
    case 3:
      return "infrastructure error";
    case 4:
      return "run invalid (generator saturated or something not measured)";
    case 130:
      return "interrupted: partial results";
    default:
      return `exit code ${code}`;
  }
}
