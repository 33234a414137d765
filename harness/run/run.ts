import { readFileSync } from "node:fs";
import path from "node:path";
import { HarnessError, isHarnessError } from "../errors.ts";
import {
  errorRateHeld,
  FaultSchedule,
  type InjectedFault,
  type ScheduledFault,
  type SteadyCondition,
} from "../faults/index.ts";
import { formatProgress, type LoadResult, startLoad } from "../load/index.ts";
import { ProbeRunner } from "../probes/index.ts";
import { exitMeaning, faultsFromTimeline, phasesFromTimeline, type RunSummary, writeReports } from "../report/index.ts";
import { formatDurationMs, parseDurationMs } from "../scenario/duration.ts";
import { Timeline } from "../timeline/index.ts";
import { type StartedTopology, sweepOrphans, up, writeCurrentRun } from "../topology/index.ts";
import { newRunId } from "../topology/run-id.ts";
import { checkAbort, evaluate, exitCodeFor, type Verdict } from "../verdict/index.ts";
import { CleanupStack } from "./cleanup.ts";
import type { RunPlan } from "./plan.ts";
import { verifyLostWrites } from "./verify/lost-writes.ts";

export interface RunOptions {
  plan: RunPlan;
  /** Where `reports/<run-id>/` goes. Default `reports`. */
  reportsDir?: string;
  /** Leave the topology running after the run (`--keep`). */
  keep?: boolean;
  /** Also write junit.xml (`--gate`). */
  gate?: boolean;
  /** Hosts besides loopback the load may go to (`--allow-host`). */
  allowHosts?: string[];
  /** Aborts the run (SIGINT / SIGTERM): faults reverted, containers removed, partial report, exit 130. */
  signal?: AbortSignal;
  /** A progress line for the terminal. */
  log?: (line: string) => void;
  /** Run id; default a new one. */
  runId?: string;
}

export interface RunOutcome {
  runId: string;
  dir: string;
  verdict: Verdict;
  exitCode: number;
  files: string[];
}

const version = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * One run: up and health -> warmup -> load with the fault schedule -> recovery watch -> verify ->
 * verdict -> report -> down. Every started thing sits on one LIFO cleanup stack, undone on every
 * exit path (success, SLO failure, error, Ctrl-C); faults are reverted before anything is removed.
 */
export async function runScenario(options: RunOptions): Promise<RunOutcome> {
  const { plan } = options;
  const scenario = plan.scenario;
  const log = options.log ?? (() => {});
  const runId = options.runId ?? newRunId();
  const dir = path.resolve(options.reportsDir ?? "reports", runId);
  const signal = options.signal ?? new AbortController().signal;
  const cleanup = new CleanupStack();
  const wallStart = Date.now();
  let topology: StartedTopology | undefined;
  let timeline: Timeline | undefined;
  let schedule: FaultSchedule | undefined;
  const conditions: InjectedFault[] = [];
  let loadResult: LoadResult | undefined;
  let failure: unknown;
  let abortedByThreshold: string | undefined;
  const topologyStates: RunSummary["topology"]["services"] = [];

  try {
    const swept = await sweepOrphans({ reportsDir: options.reportsDir ?? "reports" });
    if (swept.runs.length > 0) {
      log(
        `removed ${swept.containers} containers left by dead runs ${swept.runs.join(", ")} (their harness was killed)`,
      );
    }
    for (const failure of swept.failures) {
      log(`warning: left by dead run ${failure.runId}, not removed: ${failure.message} (try 'harness down --all')`);
    }
    log(`run ${runId}: starting topology ${plan.composeFile}`);
    topology = await up({
      file: plan.composeFile,
      runId,
      env: plan.env,
      profiles: scenario.profiles,
      reportsDir: options.reportsDir ?? "reports",
      signal,
      onProgress: (e) => {
        if (e.state === "healthy" || e.state === "failed" || e.state === "built")
          log(`  ${e.service}: ${e.state}${e.detail ? ` (${e.detail})` : ""}`);
      },
    });
    const started = topology;
    cleanup.defer("remove the topology", async () => {
      if (options.keep) {
        // The current run is never swept as an orphan; 'harness down' finds it.
        await writeCurrentRun({
          runId,
          project: started.project,
          file: path.resolve(plan.composeFile),
          reportsDir: options.reportsDir ?? "reports",
        });
        log(`topology ${runId} left running (--keep); remove it with 'harness down'`);
      } else {
        log("removing the topology");
        await started.down();
      }
    });
    log(`topology up in ${formatDurationMs(Date.now() - wallStart)}`);
    throwIfAborted(signal);

    const baseUrl = topology.endpoint(scenario.target.service, scenario.target.port).url();
    const toxiproxyUrl = resolveToxiproxy(topology, scenario.toxiproxy);
    if (toxiproxyUrl) await resetToxiproxy(toxiproxyUrl);

    // The run clock starts with the load: 0 is the first intended request.
    const tl = new Timeline({ runId });
    timeline = tl;
    tl.event("run", "start", { scenario: scenario.name, target: baseUrl }, 0);
    tl.event("phase", "warmup", undefined, 0);

    const probes = new ProbeRunner(scenario.probes ?? [], { timeline: tl, topology }).start();
    cleanup.defer("stop the probes", () => probes.stop());

    const loadAbort = new AbortController();
    const stopLoad = (): void => loadAbort.abort();
    signal.addEventListener("abort", stopLoad, { once: true });
    cleanup.defer("stop listening for signals", () => signal.removeEventListener("abort", stopLoad));

    // Phase marks follow the faults: the first inject opens `fault`, the last revert opens `recovery`,
    // and the load stops once recovery has been watched for its time.
    let injected = 0;
    let reverted = 0;
    let stopTimer: NodeJS.Timeout | undefined;
    const steadyTimer = setTimeout(() => tl.event("phase", "steady"), plan.warmupMs);
    cleanup.defer("clear timers", () => {
      clearTimeout(steadyTimer);
      if (stopTimer) clearTimeout(stopTimer);
    });
    // Conditions are the run's normal state (a slow dependency): they open no phase.
    const conditionIds = new Set((scenario.conditions ?? []).map((f) => f.id));
    tl.onEvent((e) => {
      if (e.kind === "fault.inject" && conditionIds.has(e.name)) {
        // counted by no phase
      } else if (e.kind === "fault.inject") {
        // Samples are stamped with their intended send time, so a request sent just before the
        // fault can fail because of it: the last interval before the inject belongs to the fault.
        if (injected++ === 0) {
          const guardMs = tl.intervalMs;
          tl.event("phase", "fault", { guardMs, injectAtMs: e.atMs }, Math.max(plan.warmupMs, e.atMs - guardMs));
        }
      } else if (
        e.kind === "fault.revert" &&
        !conditionIds.has(e.name) &&
        e.data?.reason !== "abort" &&
        e.data?.reason !== "signal"
      ) {
        reverted++;
        if (reverted === injected && reverted === (scenario.faults ?? []).length) {
          tl.event("phase", "recovery", undefined, e.atMs);
          log(`recovery: watching for ${formatDurationMs(plan.recoveryWatchMs)}`);
          stopTimer = setTimeout(stopLoad, plan.recoveryWatchMs);
        }
      }
      if (e.kind === "fault.inject" || e.kind === "fault.revert")
        log(`${e.kind} ${e.name} at ${formatDurationMs(e.atMs)}`);
      if (e.kind === "probe" && e.name === "patroni.leader")
        log(`leader: ${String(e.data?.leader)} at ${formatDurationMs(e.atMs)}`);
    });

    const sched = new FaultSchedule(
      (scenario.faults ?? []).map((f) => afterWarmup(f, plan.warmupMs)),
      { clock: tl.clock },
    );
    schedule = sched;
    cleanup.defer("revert every fault", () => sched.revertAll(signal.aborted ? "signal" : "error"));

    const faultContext = { topology, toxiproxyUrl: toxiproxyUrl ?? "", timeline: tl, signal };
    for (const condition of scenario.conditions ?? []) {
      const applied = await condition.inject(faultContext);
      conditions.push(applied);
      cleanup.defer(`revert condition ${condition.id}`, () => applied.revert(signal.aborted ? "signal" : "error"));
    }

    log(`load: ${plan.executorPlan.summary} -> ${baseUrl}`);
    const load = startLoad({
      baseUrl,
      executor: plan.executor,
      requests: scenario.load.requests,
      timeline: tl,
      signal: loadAbort.signal,
      allowHosts: options.allowHosts,
      http: { timeoutMs: scenario.load.timeoutMs ?? 5000, connections: scenario.load.connections ?? 64 },
      scenario: scenario.name,
      ...(scenario.load.lateAfterMs === undefined ? {} : { lateAfterMs: scenario.load.lateAfterMs }),
      onProgress: (p) => log(formatProgress(p)),
    });
    const untilMs = Math.max(plan.warmupMs, plan.executorPlan.durationMs - plan.recoveryWatchMs);
    const faultsDone = sched.run(faultContext, { untilMs });
    // An inject that fails ends the run as an infrastructure error; the cleanup stack reverts.
    faultsDone.catch(stopLoad);

    const checkParams = checkParamsOf(plan);
    const abortable = plan.thresholds.filter((t) => t.abortOnFail);
    // k6 judges abortOnFail every 2 s during the run; a check still waiting for its event is not failed yet.
    const abortWatch = setInterval(() => {
      if (abortable.length === 0 || abortedByThreshold) return;
      const decision = checkAbort(tl, abortable, tl.clock.nowMs(), { checkParams, scenarioFile: scenario.file });
      const failed = decision.breached[0];
      if (decision.abort && failed) {
        abortedByThreshold = `${failed.metric} ${failed.expression}`;
        log(`threshold ${abortedByThreshold} crossed with abortOnFail: stopping the run`);
        stopLoad();
      }
    }, 2000);
    cleanup.defer("stop the abort watch", () => clearInterval(abortWatch));

    loadResult = await load.done;
    await faultsDone.catch((error: unknown) => {
      throw error;
    });
    await sched.revertAll(signal.aborted ? "signal" : "scheduled");
    throwIfAborted(signal);

    tl.event("phase", "post");
    const lostWrites = scenario.verify?.lostWrites;
    if (lostWrites) {
      log(`verify: reading back ${loadResult.ledger.acknowledged.length} acknowledged writes`);
      const r = await verifyLostWrites(loadResult.ledger, tl, {
        baseUrl,
        readPath: lostWrites.readPath,
        concurrency: lostWrites.concurrency,
        retries: lostWrites.retries,
        signal,
      });
      log(
        `verify: ${r.acknowledged} acknowledged, ${r.lost} lost, ${r.unverified} unverified, ${r.indeterminate} indeterminate (${formatDurationMs(r.durationMs)})`,
      );
    }
    throwIfAborted(signal);
  } catch (error) {
    failure = error;
  }

  // Faults are healed first, whatever happened; then the topology is read and removed.
  const healReason = signal.aborted ? "signal" : failure ? "error" : "scheduled";
  if (schedule) await schedule.revertAll(healReason).catch(() => {});
  for (const c of conditions.reverse()) await c.revert(healReason).catch(() => {});
  if (topology) {
    for (const service of topology.services()) {
      try {
        const s = await topology.container(service).inspect();
        topologyStates.push({
          name: service,
          image: topology.model.services[service]?.image ?? "",
          state: s.health ?? s.status,
        });
      } catch {
        topologyStates.push({ name: service, image: topology.model.services[service]?.image ?? "", state: "unknown" });
      }
    }
  }
  const aborted = signal.aborted;
  let outcome: RunOutcome | undefined;
  if (timeline) {
    timeline.event(
      "run",
      aborted ? "aborted" : "end",
      abortedByThreshold ? { abortOnFail: abortedByThreshold } : undefined,
    );
    timeline.close();
    // The load's own validity reasons are on the timeline as `validity` events, which the verdict reads.
    const invalidReasons: string[] = [];
    if (failure && !aborted) invalidReasons.push(`run error: ${describeError(failure)}`);
    const verdict = evaluate(timeline, plan.thresholds, {
      scenarioFile: scenario.file,
      runValidity: { invalidReasons, aborted },
      checkParams: checkParamsOf(plan),
    });
    const exitCode = failure && !aborted ? (isHarnessError(failure) ? failure.exitCode : 3) : exitCodeFor(verdict);
    const summary = buildSummary(plan, runId, timeline, verdict, exitCode, wallStart, loadResult, topologyStates);
    const { files } = await writeReports(dir, { timeline: timeline.toJSON(), summary, gate: options.gate });
    log(`report: ${path.relative(process.cwd(), path.join(dir, "report.html"))}`);
    outcome = { runId, dir, verdict, exitCode, files };
  }

  try {
    await cleanup.run((name, error) => {
      if (error) log(`cleanup: ${name} failed: ${describeError(error)}`);
    });
  } catch (error) {
    failure ??= error;
  }

  if (aborted && outcome) return outcome;
  if (failure) throw failure;
  if (!outcome) throw new HarnessError("HARNESS_INTERNAL", "the run ended without a timeline");
  return outcome;
}

/** A steady-state condition counts only after warmup; the run's own default deadline applies. */
function afterWarmup(f: ScheduledFault, warmupMs: number): ScheduledFault {
  const when = f.when;
  if (when === undefined || typeof when === "function") return f;
  const steady = when as SteadyCondition;
  const forMs = parseDurationMs(steady.steadyFor, "faults.when.steadyFor");
  return {
    ...f,
    when: (timeline, nowMs) =>
      nowMs >= warmupMs &&
      errorRateHeld(timeline, {
        metric: steady.metric,
        tags: steady.tags,
        minSamples: steady.minSamples,
        maxErrorRate: steady.maxErrorRate ?? 0.01,
        forMs,
        sinceMs: warmupMs,
        nowMs,
      }).held,
  };
}

/** The resilience checks read the same recovery definition the fault schedule and plan use. */
function checkParamsOf(plan: RunPlan): Record<string, Record<string, unknown>> {
  // With conditions on the timeline too, recovery is measured from the first scheduled fault.
  const first = plan.scenario.conditions?.length ? plan.scenario.faults?.[0]?.fault.id : undefined;
  return {
    recovery_time: {
      errorRateLimit: plan.recoveryMaxErrorRate,
      holdMs: plan.recoveryHoldMs,
      ...(first ? { faultId: first } : {}),
    },
  };
}

function resolveToxiproxy(topology: StartedTopology, spec: RunPlan["scenario"]["toxiproxy"]): string | undefined {
  if (spec === false) return undefined;
  const s = spec ?? { service: "toxiproxy", port: 8474 };
  if (!topology.services().includes(s.service)) {
    if (spec)
      throw new HarnessError("HARNESS_SCENARIO_INVALID", `toxiproxy service ${s.service} is not in the topology`);
    return undefined;
  }
  return topology.endpoint(s.service, s.port).url();
}

/** Start from a clean proxy: no toxic left from anything before this run. */
async function resetToxiproxy(url: string): Promise<void> {
  const res = await fetch(new URL("/reset", url), { method: "POST", signal: AbortSignal.timeout(5000) });
  if (res.status !== 204 && res.status !== 200) {
    throw new HarnessError("HARNESS_FAULT_FAILED", `Toxiproxy at ${url} answered ${res.status} to POST /reset`);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new HarnessError("HARNESS_INTERRUPTED", "the run was interrupted");
}

function describeError(error: unknown): string {
  if (isHarnessError(error)) return error.toOneLine();
  return error instanceof Error ? error.message : String(error);
}

function buildSummary(
  plan: RunPlan,
  runId: string,
  timeline: Timeline,
  verdict: Verdict,
  exitCode: number,
  wallStart: number,
  load: LoadResult | undefined,
  services: RunSummary["topology"]["services"],
): RunSummary {
  const json = timeline.toJSON();
  const faults = faultsFromTimeline(json);
  const phases = phasesFromTimeline(json);
  const s = plan.scenario;
  return {
    format: "harness.summary/v1",
    runId,
    scenario: s.name,
    description: s.description,
    ...(s.file ? { scenarioFile: path.relative(process.cwd(), s.file) } : {}),
    composeFile: plan.composeFile,
    startedAt: new Date(timeline.clock.wallAnchorMs).toISOString(),
    durationMs: Date.now() - wallStart,
    exitCode,
    exitMeaning: exitMeaning(exitCode),
    verdict,
    faults,
    phases,
    topology: { services },
    load: {
      executor: `${plan.executorPlan.summary} (native engine)`,
      offeredRatePerS: load?.offeredPerS,
      achievedRatePerS: load?.achievedPerS,
      requests: load?.sent,
      late: load?.late ?? 0,
      dropped: load?.dropped ?? 0,
      valid: load?.validity.valid ?? false,
      invalidReasons: load ? load.validity.reasons.map((r) => r.message) : ["the load did not run"],
    },
    harnessVersion: version,
  };
}
