import path from "node:path";
import { HarnessError } from "../errors.ts";
import { FaultSchedule, type PlannedFault } from "../faults/index.ts";
import { type ExecutorConfig, type ExecutorPlan, planExecutor, validateExecutor } from "../load/executors/index.ts";
import { validateRequests } from "../load/http/template.ts";
import type { Scenario } from "../scenario/define.ts";
import { formatDurationMs, tryParseDurationMs } from "../scenario/duration.ts";
import { checkNames } from "../verdict/checks/index.ts";
import { type ParsedThreshold, parseThresholds } from "../verdict/index.ts";

/** The phases every run has, in order. */
export const PHASES = ["warmup", "steady", "fault", "recovery", "post"] as const;

/** Changes from the command line, applied over the scenario file. */
export interface Overrides {
  /** `--duration`: the executor's duration (constant executors) or an upper bound on the run. */
  duration?: string;
  /** `--rate`: requests per second for arrival-rate executors, VUs for VU executors. */
  rate?: number;
  /** `--env KEY=VALUE`: variables for the compose file (the target's switches). */
  env?: Record<string, string>;
}

/** What a run will do, computed before anything starts; `harness plan` prints it. */
export interface RunPlan {
  scenario: Scenario;
  composeFile: string;
  env: Record<string, string>;
  executor: ExecutorConfig;
  executorPlan: ExecutorPlan;
  warmupMs: number;
  recoveryWatchMs: number;
  recoveryMaxErrorRate: number;
  recoveryHoldMs: number;
  faults: PlannedFault[];
  /** Faults held for the whole run, one line each. */
  conditions: string[];
  probes: string[];
  thresholds: ParsedThreshold[];
}

/**
 * Validate a scenario (with overrides) and compute its plan. Every problem is reported at once, in
 * one HarnessError naming the scenario file.
 */
export function planRun(scenario: Scenario, overrides: Overrides = {}, cwd = process.cwd()): RunPlan {
  const file = scenario.file ? path.relative(cwd, scenario.file) : `scenario ${scenario.name}`;
  const problems: string[] = [];
  const need = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  need(
    typeof scenario.name === "string" && /^[a-z0-9][a-z0-9-]*$/.test(scenario.name),
    "name must be a lowercase word like failover-primary",
  );
  need(
    typeof scenario.description === "string" && scenario.description.length > 0,
    "description is required (one line for 'harness list')",
  );
  need(
    typeof scenario.target?.service === "string" && Number.isInteger(scenario.target?.port),
    "target must be { service, port }",
  );

  const executor = applyOverrides(scenario.load?.executor, overrides, problems);
  problems.push(...validateExecutor(executor).map((p) => `load.${p}`));
  problems.push(...validateRequests(scenario.load?.requests).map((p) => `load.${p}`));

  const warmupMs = duration(scenario.warmup ?? "10s", "warmup", problems);
  const recoveryWatchMs = duration(scenario.recovery?.watch ?? "20s", "recovery.watch", problems);
  const recoveryHoldMs = duration(scenario.recovery?.holdFor ?? "5s", "recovery.holdFor", problems);
  const recoveryMaxErrorRate = scenario.recovery?.maxErrorRate ?? 0.01;
  need(recoveryMaxErrorRate > 0 && recoveryMaxErrorRate <= 1, "recovery.maxErrorRate must be in (0, 1]");

  let faults: PlannedFault[] = [];
  try {
    const schedule = new FaultSchedule(scenario.faults ?? []);
    problems.push(...schedule.validate().map((p) => `faults.${p.fault}.${p.option} ${p.message}`));
    faults = schedule.plan();
  } catch (error) {
    problems.push(`faults: ${error instanceof Error ? error.message : String(error)}`);
  }
  const conditions: string[] = [];
  for (const c of scenario.conditions ?? []) {
    problems.push(...c.validate().map((p) => `conditions.${p.fault}.${p.option} ${p.message}`));
    conditions.push(`${c.id}: ${c.describe()}`);
  }
  const probes: string[] = [];
  for (const p of scenario.probes ?? []) {
    problems.push(...p.validate().map((m) => `probes.${p.name} ${m}`));
    probes.push(p.describe());
  }

  let thresholds: ParsedThreshold[] = [];
  try {
    thresholds = parseThresholds(scenario.thresholds ?? {}, { scenarioFile: file, phases: PHASES });
  } catch (error) {
    // Thresholds are judged with everything else, so the user sees every problem at once.
    const message = error instanceof Error ? error.message : String(error);
    problems.push(message.startsWith(`${file}: `) ? message.slice(file.length + 2) : `thresholds: ${message}`);
  }
  // Read from the keys, so a typo'd metric is reported even when an expression failed to parse.
  for (const key of Object.keys(scenario.thresholds ?? {})) {
    const problem = unknownMetric(key.split("{")[0]!.trim(), scenario);
    if (problem) problems.push(problem);
  }
  need(
    scenario.thresholds !== undefined && Object.keys(scenario.thresholds).length > 0,
    "thresholds: a scenario without thresholds judges nothing; add at least one",
  );

  if (problems.length > 0) {
    throw new HarnessError("HARNESS_SCENARIO_INVALID", `${file}: ${problems.join("; ")}`, {
      hint:
        problems.length === 1
          ? "fix that field of the scenario"
          : `fix these ${problems.length} fields of the scenario`,
    });
  }
  const executorPlan = planExecutor(executor as ExecutorConfig);
  if (warmupMs >= executorPlan.durationMs) {
    throw new HarnessError(
      "HARNESS_SCENARIO_INVALID",
      `${file}: warmup ${formatDurationMs(warmupMs)} is not shorter than the load (${formatDurationMs(executorPlan.durationMs)})`,
      { hint: "shorten warmup or lengthen load.executor.duration (or --duration)" },
    );
  }
  return {
    scenario,
    composeFile: scenario.compose ?? "compose.yaml",
    env: { ...(scenario.env ?? {}), ...(overrides.env ?? {}) },
    executor: executor as ExecutorConfig,
    executorPlan,
    warmupMs,
    recoveryWatchMs,
    recoveryHoldMs,
    recoveryMaxErrorRate,
    faults,
    conditions,
    probes,
    thresholds,
  };
}

/** Metrics every run records (k6's names, the generator's, the verifier's), besides checks and probes. */
const RUN_METRICS = new Set([
  "http_reqs",
  "http_req_duration",
  "http_req_failed",
  "checks",
  "iterations",
  "data_received",
  "data_sent",
  "generator_late",
  "generator_dropped",
  "generator_in_flight",
  "generator_event_loop_lag",
  "generator_cpu",
  "writes_unverified",
  "probe_errors",
]);

/**
 * A threshold on a metric nothing in the run can record is a typo, found before the run: a run
 * metric, a resilience check, or a metric of one of the scenario's probes (`<probe name>_...`).
 */
function unknownMetric(name: string, scenario: Scenario): string | undefined {
  if (RUN_METRICS.has(name) || checkNames.has(name)) return undefined;
  const prefixes = (scenario.probes ?? []).map((p) => `${p.name}_`);
  if (prefixes.some((p) => name.startsWith(p))) return undefined;
  const known = [...new Set([...RUN_METRICS, ...checkNames, ...prefixes.map((p) => `${p}*`)])].join(", ");
  return `thresholds: no part of this run records a metric '${name}' (known: ${known})`;
}

function duration(value: string, field: string, problems: string[]): number {
  const ms = tryParseDurationMs(value);
  if (ms === undefined) {
    problems.push(`${field} must be a duration such as 10s, got ${JSON.stringify(value)}`);
    return 0;
  }
  return ms;
}

function applyOverrides(executor: unknown, o: Overrides, problems: string[]): unknown {
  if (typeof executor !== "object" || executor === null) return executor;
  const e = { ...(executor as Record<string, unknown>) };
  if (o.duration !== undefined) {
    if (tryParseDurationMs(o.duration) === undefined)
      problems.push(`--duration must be a duration such as 60s, got ${o.duration}`);
    if ("duration" in e) e.duration = o.duration;
    else problems.push(`--duration does not apply to ${String(e.executor)} (it has stages)`);
  }
  if (o.rate !== undefined) {
    if (!(o.rate > 0)) problems.push(`--rate must be above 0, got ${o.rate}`);
    if ("rate" in e) {
      e.rate = o.rate;
      e.timeUnit = "1s";
    } else if ("vus" in e) e.vus = Math.round(o.rate);
    else problems.push(`--rate does not apply to ${String(e.executor)} (it has stages)`);
  }
  return e;
}

/** The plan as lines for a terminal (`harness plan`). */
export function formatPlan(plan: RunPlan): string {
  const s = plan.scenario;
  const lines = [
    `scenario   ${s.name}: ${s.description}`,
    `topology   ${plan.composeFile}${
      Object.keys(plan.env).length > 0
        ? ` with ${Object.entries(plan.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : ""
    }`,
    `target     ${s.target.service}:${s.target.port} (published on 127.0.0.1)`,
    `load       ${plan.executorPlan.summary}`,
    `requests   ${s.load.requests.map((r) => `${r.method ?? "GET"} ${r.path} x${r.weight ?? 1}`).join(", ")}`,
    `phases     warmup ${formatDurationMs(plan.warmupMs)} -> steady -> fault -> recovery (watch ${formatDurationMs(plan.recoveryWatchMs)}) -> post`,
  ];
  for (const c of plan.conditions) lines.push(`condition  ${c} (the whole run)`);
  for (const f of plan.faults) lines.push(`fault      ${f.id}: ${f.what}; starts ${f.start}; reverts ${f.revert}`);
  for (const p of plan.probes) lines.push(`probe      ${p}`);
  for (const t of plan.thresholds)
    lines.push(`threshold  ${t.metric.key} ${t.expression.source}${t.abortOnFail ? " (abortOnFail)" : ""}`);
  if (s.verify?.lostWrites)
    lines.push(`verify     lost writes: read back every acknowledged write at ${s.verify.lostWrites.readPath}`);
  return lines.join("\n");
}
