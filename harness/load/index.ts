/**
 * The load room's public entry: validate and plan a load, start it against a loopback target,
 * and read its result. Samples go onto the caller's timeline under the k6 metric names.
 *
 *   const run = startLoad({ baseUrl, executor, requests, timeline, signal });
 *   const result = await run.done;
 */
import { HarnessError } from "../errors.ts";
import type { Timeline } from "../timeline/index.ts";
import { checkTarget } from "./allow-host.ts";
import type { EngineName, LoadResult, LoadRun, LoadSpec } from "./engines/index.ts";
import { engines } from "./engines/index.ts";
import { targetAt } from "./executors/executor.ts";
import { type ExecutorConfig, type ExecutorPlan, planExecutor, validateExecutor } from "./executors/index.ts";
import type { HttpOptions } from "./http/client.ts";
import { seededRandom } from "./http/random.ts";
import { compileTemplate, type RequestTemplate, validateRequests, weightedPicker } from "./http/template.ts";
import { type ProgressSnapshot, readProgress } from "./progress.ts";
import { type StopCondition, StopJudge, validateStopCondition } from "./stop-condition.ts";
import type { ValidityLimits } from "./validity.ts";

export { checkTarget, LOOPBACK_HOSTS } from "./allow-host.ts";
export type { EngineName, LoadResult, LoadRun, StopReason } from "./engines/index.ts";
export type {
  ConstantArrivalRateConfig,
  ConstantVusConfig,
  ExecutorConfig,
  ExecutorName,
  ExecutorPlan,
  LoadModel,
  PlanPoint,
  RampingArrivalRateConfig,
  RampingVusConfig,
  Stage,
} from "./executors/index.ts";
export type { HealthFigures } from "./health.ts";
export type { HttpOptions } from "./http/client.ts";
export { type Distribution, hotKeys, oneOf, sequential, uniform, zipf } from "./http/distribution.ts";
export type { ErrorClass } from "./http/error-class.ts";
export type { Checks, HttpMethod, RequestTemplate, StatusMatch, WriteSpec } from "./http/template.ts";
export type { WriteEntry, WritesSnapshot } from "./ledger.ts";
export { formatProgress, formatResult, type ProgressSnapshot, progressPrinter } from "./progress.ts";
export { type LoadShape, load, soak, spike, stress } from "./shapes.ts";
export type { BreakingPoint, StopCondition } from "./stop-condition.ts";
export type { Validity, ValidityLimits, ValidityReason } from "./validity.ts";

/** Everything startLoad needs. Only `baseUrl`, `executor`, `requests` and `timeline` are required. */
export interface LoadOptions {
  /** The target's origin (and optional base path). Loopback only unless `allowHosts` names the host. */
  baseUrl: string | URL;
  /** A k6 executor config (or a shape helper's `executor`). */
  executor: ExecutorConfig;
  /** The weighted request mix. */
  requests: RequestTemplate[];
  /** Where samples go; its clock is the run's clock. */
  timeline: Timeline;
  /** Aborting it stops the load (in-flight requests aborted; stoppedBy "signal"). */
  signal?: AbortSignal;
  /** Non-loopback hosts the user allowed (`--allow-host HOST`). Default none. */
  allowHosts?: readonly string[];
  /** Default `native`; `autocannon` runs constant-vus on one fixed URL. */
  engine?: EngineName;
  http?: HttpOptions;
  /** Stop early when the target breaks (stress); the result then carries the breaking point. */
  stopWhen?: StopCondition;
  /** A request sent more than this many ms after its intended time counts as late. Default 10. */
  lateAfterMs?: number;
  /** When the run is flagged invalid. Defaults in ValidityLimits. */
  validity?: ValidityLimits;
  /** Adds a `scenario` tag to every sample. */
  scenario?: string;
  /** Seed of the parameter draws and the mix (same seed, same keys). Default 1. */
  seed?: number;
  /** Called once per timeline interval with the last finished interval's figures. */
  onProgress?: (p: ProgressSnapshot) => void;
}

/** What `harness plan` prints about the load, computed before anything runs. */
export interface LoadPlan {
  engine: EngineName;
  /** Origin and base path the load goes to. */
  target: string;
  executor: ExecutorPlan;
  /** Share of each template in the mix (0..1). */
  mix: { endpoint: string; method: string; share: number; write: boolean }[];
  stopWhen: StopCondition | undefined;
  /** Lines for a terminal. */
  lines: string[];
}

/** Every problem with load options, all at once (empty when they can run). Does not judge the host. */
export function validateLoad(options: LoadOptions): string[] {
  const problems: string[] = [];
  if (typeof options !== "object" || options === null) return ["load options must be an object"];
  try {
    new URL(String(options.baseUrl));
  } catch {
    problems.push(
      `baseUrl ${JSON.stringify(String(options.baseUrl))} is not a URL (write it like http://127.0.0.1:8080)`,
    );
  }
  const executorProblems = validateExecutor(options.executor);
  problems.push(...executorProblems);
  const requestProblems = validateRequests(options.requests);
  problems.push(...requestProblems);
  problems.push(...validateStopCondition(options.stopWhen));
  const engine = options.engine ?? "native";
  if (!(engine in engines))
    problems.push(`engine ${JSON.stringify(engine)} is unknown (known: ${Object.keys(engines).join(", ")})`);
  if (options.lateAfterMs !== undefined && !(options.lateAfterMs >= 0)) problems.push("lateAfterMs must be >= 0");
  const http = options.http ?? {};
  if (http.connections !== undefined && !(Number.isInteger(http.connections) && http.connections >= 1)) {
    problems.push(`http.connections must be an integer >= 1, got ${http.connections}`);
  }
  if (http.timeoutMs !== undefined && !(http.timeoutMs > 0))
    problems.push(`http.timeoutMs must be > 0, got ${http.timeoutMs}`);
  if (!options.timeline || typeof options.timeline.series !== "function") problems.push("timeline is required");
  if (problems.length === 0 && engine in engines) {
    const plan = planExecutor(options.executor);
    const templates = options.requests.map((t, i) => compileTemplate(t, i, seededRandom(1)));
    problems.push(...engines[engine].problems({ plan, templates }));
  }
  return problems;
}

function invalid(problems: string[]): HarnessError {
  const head = problems.length === 1 ? "invalid load" : `invalid load (${problems.length} problems)`;
  return new HarnessError("HARNESS_LOAD_INVALID", `${head}: ${problems.join("; ")}`, {
    hint: "fix the load section of the scenario",
  });
}

/** Validate (throwing HARNESS_LOAD_INVALID / HARNESS_HOST_NOT_ALLOWED) and plan, without running. */
export function planLoad(options: LoadOptions): LoadPlan {
  const problems = validateLoad(options);
  if (problems.length > 0) throw invalid(problems);
  const url = checkTarget(options.baseUrl, options.allowHosts);
  const executor = planExecutor(options.executor);
  const total = options.requests.reduce((n, t) => n + (t.weight ?? 1), 0);
  const compiled = options.requests.map((t, i) => compileTemplate(t, i, seededRandom(1)));
  const mix = compiled.map((t) => ({
    endpoint: t.endpoint,
    method: t.method,
    share: t.weight / total,
    write: !!t.write,
  }));
  const engine = options.engine ?? "native";
  const lines = [
    `load ${engine} -> ${url.origin}${url.pathname === "/" ? "" : url.pathname}: ${executor.summary}`,
    ...mix.map(
      (m) => `  ${(m.share * 100).toFixed(1).padStart(5)}% ${m.method} ${m.endpoint}${m.write ? " (write)" : ""}`,
    ),
  ];
  if (options.stopWhen) lines.push(`  stops when ${JSON.stringify(options.stopWhen)}`);
  return { engine, target: url.href, executor, mix, stopWhen: options.stopWhen, lines };
}

/**
 * Start load against the target. Throws (before sending anything) HARNESS_LOAD_INVALID with every
 * problem, HARNESS_HOST_NOT_ALLOWED for a non-loopback host nobody allowed, or HARNESS_INTERRUPTED
 * when `signal` is already aborted. The timeline's clock must be a real clock. The returned run
 * ends by itself at its planned end (plus the graceful stop), on `signal`, on `stop()`, or when
 * `stopWhen` trips; `done` never rejects for request failures (they are samples).
 */
export function startLoad(options: LoadOptions): LoadRun {
  const plan = planLoad(options);
  if (options.signal?.aborted) {
    throw new HarnessError("HARNESS_INTERRUPTED", "load not started: the run was already interrupted", {
      hint: "nothing was sent",
    });
  }
  const random = seededRandom(options.seed ?? 1);
  const templates = options.requests.map((t, i) => compileTemplate(t, i, random));
  const spec: LoadSpec = {
    baseUrl: new URL(plan.target),
    plan: plan.executor,
    templates,
    pick: weightedPicker(templates, random),
    timeline: options.timeline,
    http: options.http ?? {},
    lateAfterMs: options.lateAfterMs ?? 10,
    validityLimits: options.validity ?? {},
    scenario: options.scenario,
  };
  const run = engines[plan.engine].start(spec);
  watch(run, options, plan.executor);
  return run;
}

/** Per-interval duties while the run lasts: progress, stop condition, signal. */
function watch(run: LoadRun, options: LoadOptions, plan: ExecutorPlan): void {
  const timeline = options.timeline;
  const width = timeline.intervalMs;
  const judge = options.stopWhen ? new StopJudge(options.stopWhen) : undefined;
  let judgedUpTo = Math.floor(run.startedAtMs / width) * width;
  const onAbort = (): void => run.abort("signal");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setInterval(() => {
    const now = timeline.clock.nowMs();
    if (options.onProgress) {
      options.onProgress(readProgress(timeline, now, run.startedAtMs, plan.durationMs, run.inFlight));
    }
    if (!judge) return;
    // Judge intervals two behind: their slow answers have had time to arrive.
    const upTo = (Math.floor(now / width) - 2) * width;
    for (let t = judgedUpTo; t <= upTo; t += width) {
      const windows = [{ fromMs: t, toMs: t + width }];
      const latency = timeline.intervals({ metric: "http_req_duration", windows })[0];
      const failed = timeline.intervals({ metric: "http_req_failed", windows })[0];
      const breach = judge.observe(t, latency, failed);
      judgedUpTo = t + width;
      if (breach) {
        const reqs = timeline.intervals({
          metric: "http_reqs",
          windows: [{ fromMs: breach.t, toMs: breach.t + width }],
        })[0];
        run.stopIssuing("condition", {
          target: targetAt(plan.points, Math.max(0, breach.t - run.startedAtMs)),
          unit: plan.model === "open" ? "requests/s" : "vus",
          achievedPerS: reqs?.perS ?? 0,
          atMs: breach.t,
          reason: breach.reason,
        });
        clearInterval(timer);
        break;
      }
    }
  }, width);
  void run.done.finally(() => {
    clearInterval(timer);
    options.signal?.removeEventListener("abort", onAbort);
  });
}

/** Run a load to its end and return the result (a convenience over startLoad). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  return startLoad(options).done;
}
