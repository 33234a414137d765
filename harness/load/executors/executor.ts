import { tryParseDurationMs } from "../../scenario/duration.ts";

/** The k6 executor names the harness runs. */
export type ExecutorName = "constant-arrival-rate" | "ramping-arrival-rate" | "constant-vus" | "ramping-vus";

/** Open: requests arrive on a schedule whatever the server does. Closed: each VU waits for its answer. */
export type LoadModel = "open" | "closed";

/** A duration as users write it (`"30s"`, `"1m30s"`) or a number of milliseconds. */
export type DurationInput = string | number;

/** A k6 stage: ramp linearly from the previous target to `target` over `duration`. */
export interface Stage {
  duration: DurationInput;
  /** Requests per timeUnit (arrival-rate executors) or VUs (ramping-vus). */
  target: number;
}

/** One corner of the planned target curve: the value holds linearly between corners. */
export interface PlanPoint {
  /** ms since the load started. */
  atMs: number;
  /** Requests per second (open model) or VUs (closed model). */
  value: number;
}

/** What an executor will do, computed from its config before anything runs (`harness plan` prints it). */
export interface ExecutorPlan {
  executor: ExecutorName;
  model: LoadModel;
  /** Planned length of the load, ms (graceful stop not included). */
  durationMs: number;
  /** Target curve: rate in requests/s for the open model, VUs for the closed one. */
  points: PlanPoint[];
  /** Open model: requests the schedule will offer. Closed model: undefined (the server decides). */
  plannedRequests: number | undefined;
  /** Peak of the target curve (requests/s or VUs). */
  peak: number;
  /** Open model: at most this many requests in flight, beyond which arrivals are dropped. Closed: peak VUs. */
  maxInFlight: number;
  /** How long in-flight requests may finish after the planned end, ms. */
  gracefulStopMs: number;
  /** One line for a terminal: `constant-arrival-rate 500/s for 10s (5000 requests, at most 5000 in flight)`. */
  summary: string;
}

/**
 * An executor kind: its config validates itself (every problem at once) and plans itself.
 * `plan` may assume `validate` returned no problem.
 */
export interface ExecutorKind<C> {
  name: ExecutorName;
  model: LoadModel;
  validate(config: C): string[];
  plan(config: C): ExecutorPlan;
}

/** Default graceful stop, as k6: 30 s. */
export const DEFAULT_GRACEFUL_STOP_MS = 30_000;

/** Collects problems with the field they concern. */
export class Problems {
  readonly list: string[] = [];
  constructor(readonly where: string) {}

  add(field: string, message: string): void {
    this.list.push(`${this.where}.${field} ${message}`);
  }

  /** A required or optional duration; returns ms or undefined. */
  duration(field: string, value: unknown, required: boolean, allowZero = false): number | undefined {
    if (value === undefined) {
      if (required) this.add(field, "is required (a duration such as 30s)");
      return undefined;
    }
    const ms = typeof value === "string" || typeof value === "number" ? tryParseDurationMs(value) : undefined;
    if (ms === undefined || (!allowZero && ms === 0)) {
      this.add(field, `must be a ${allowZero ? "" : "positive "}duration such as 30s, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return ms;
  }

  /** A finite number at least `min` (and optionally an integer). */
  number(
    field: string,
    value: unknown,
    options: { required: boolean; min: number; integer?: boolean },
  ): number | undefined {
    if (value === undefined) {
      if (options.required) this.add(field, "is required");
      return undefined;
    }
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      value >= options.min &&
      (!options.integer || Number.isInteger(value));
    if (!ok) {
      const kind = options.integer ? "an integer" : "a number";
      this.add(field, `must be ${kind} >= ${options.min}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  /** Keys not in `known` are typos until proven otherwise. */
  unknownKeys(config: object, known: readonly string[]): void {
    for (const key of Object.keys(config)) {
      if (!known.includes(key)) this.add(key, `is not an option of this executor (known: ${known.join(", ")})`);
    }
  }

  /** k6 stages: a non-empty list of { duration, target }. Returns ms durations when all are valid. */
  stages(value: unknown, targetInteger: boolean): { durationMs: number; target: number }[] | undefined {
    if (!Array.isArray(value) || value.length === 0) {
      this.add("stages", "must be a non-empty list of { duration, target }");
      return undefined;
    }
    const out: { durationMs: number; target: number }[] = [];
    value.forEach((stage: unknown, i: number) => {
      if (typeof stage !== "object" || stage === null) {
        this.add(`stages[${i}]`, "must be { duration, target }");
        return;
      }
      const s = stage as Record<string, unknown>;
      const durationMs = this.duration(`stages[${i}].duration`, s.duration, true, true);
      const target = this.number(`stages[${i}].target`, s.target, { required: true, min: 0, integer: targetInteger });
      if (durationMs !== undefined && target !== undefined) out.push({ durationMs, target });
    });
    if (out.length === value.length && out.reduce((n, s) => n + s.durationMs, 0) === 0) {
      this.add("stages", "last no time at all: give at least one stage a positive duration");
      return undefined;
    }
    return out.length === value.length ? out : undefined;
  }
}

/** The highest arrival rate an executor may ask for, requests/s: beyond it the plan is a typo. */
export const MAX_RATE_PER_S = 1_000_000;

/** Requests per second from a rate per time unit. */
export function perSecond(rate: number, timeUnitMs: number): number {
  return (rate * 1000) / timeUnitMs;
}

/** Format a rate for summaries: `500/s`, `0.5/s`. */
export function formatRate(perS: number): string {
  return `${Math.round(perS * 100) / 100}/s`;
}

/** Requests offered by a piecewise-linear rate curve (points in requests/s) up to `untilMs`. */
export function requestsUntil(points: readonly PlanPoint[], untilMs: number): number {
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (a.atMs >= untilMs) break;
    const end = Math.min(b.atMs, untilMs);
    const span = b.atMs - a.atMs;
    if (span <= 0) continue;
    const vEnd = a.value + ((b.value - a.value) * (end - a.atMs)) / span;
    total += ((a.value + vEnd) / 2) * ((end - a.atMs) / 1000);
  }
  return total;
}

/** Linear interpolation of the plan's target at `atMs` (0 after the end). */
export function targetAt(points: readonly PlanPoint[], atMs: number): number {
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (atMs >= a.atMs && atMs < b.atMs) {
      return a.value + ((b.value - a.value) * (atMs - a.atMs)) / (b.atMs - a.atMs);
    }
  }
  return 0;
}

/** Corners of a k6 stage list starting at `start`. */
export function stagePoints(start: number, stages: readonly { durationMs: number; target: number }[]): PlanPoint[] {
  const points: PlanPoint[] = [{ atMs: 0, value: start }];
  let at = 0;
  for (const s of stages) {
    at += s.durationMs;
    points.push({ atMs: at, value: s.target });
  }
  return points;
}
