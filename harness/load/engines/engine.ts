import type { Timeline } from "../../timeline/index.ts";
import type { ExecutorName, ExecutorPlan, LoadModel } from "../executors/index.ts";
import type { HealthFigures } from "../health.ts";
import type { HttpOptions } from "../http/client.ts";
import type { CompiledTemplate } from "../http/template.ts";
import type { WritesSnapshot } from "../ledger.ts";
import type { BreakingPoint } from "../stop-condition.ts";
import type { Validity, ValidityLimits } from "../validity.ts";

/** The engines: the native one (undici, every executor) and autocannon (closed model, one URL). */
export type EngineName = "native" | "autocannon";

/** Everything an engine needs, validated and compiled by startLoad. */
export interface LoadSpec {
  baseUrl: URL;
  plan: ExecutorPlan;
  templates: CompiledTemplate[];
  /** Weighted pick of the next template. */
  pick: () => CompiledTemplate;
  timeline: Timeline;
  http: HttpOptions;
  /** A request sent more than this many ms after its intended time is late. */
  lateAfterMs: number;
  validityLimits: ValidityLimits;
  /** The `scenario` tag, when given. */
  scenario: string | undefined;
}

/** Why the load ended. */
export type StopReason = "plan" | "stop" | "signal" | "condition";

/** What a finished load reports (the timeline holds the samples). */
export interface LoadResult {
  engine: EngineName;
  executor: ExecutorName;
  model: LoadModel;
  /** Run-clock ms the load started and ended (end includes the graceful drain). */
  startedAtMs: number;
  endedAtMs: number;
  /** ms the load issued requests (the planned duration unless stopped early). */
  issuedForMs: number;
  stoppedBy: StopReason;
  /** Open model: arrivals the schedule offered while the load ran; closed model: requests sent. */
  offered: number;
  /** offered per second of issuedForMs. */
  offeredPerS: number;
  /** Requests handed to HTTP. */
  sent: number;
  /** sent per second of issuedForMs. */
  achievedPerS: number;
  /** Requests with an outcome recorded on the timeline (answers, timeouts, errors). */
  completed: number;
  /** Completed requests that failed (k6's http_req_failed). */
  failed: number;
  /** Requests sent more than lateAfterMs after their intended time. */
  late: number;
  /** Arrivals never sent (too many in flight, or the generator fell past the end). */
  dropped: number;
  /** Requests cut off by stop() or the end of the graceful stop (not on the timeline). */
  aborted: number;
  validity: Validity;
  ledger: WritesSnapshot;
  health: HealthFigures;
  /** Set when a stop condition ended the run. */
  breakingPoint?: BreakingPoint;
}

/** A load in progress. Disposing it stops it and waits for the result. */
export interface LoadRun extends AsyncDisposable {
  /** Settles when the load has ended and every request is accounted for. Never rejects for a request failure. */
  readonly done: Promise<LoadResult>;
  /** Stop now: no new requests, in-flight ones aborted (writes among them become indeterminate). */
  stop(): void;
  /** Requests in flight now. */
  readonly inFlight: number;
  /** Run-clock ms the load started. */
  readonly startedAtMs: number;
  /** @internal used by startLoad: stop issuing, let in-flight requests finish (stop conditions). */
  stopIssuing(reason: StopReason, breakingPoint?: BreakingPoint): void;
  /** @internal used by startLoad: stop issuing and abort in-flight requests, with the reason (signal). */
  abort(reason: StopReason): void;
}

/** An engine: checks what it cannot do, then runs a spec. */
export interface LoadEngine {
  name: EngineName;
  /** Problems with running this spec on this engine (empty when it can). */
  problems(spec: Pick<LoadSpec, "plan" | "templates">): string[];
  start(spec: LoadSpec): LoadRun;
}
