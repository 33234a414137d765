import { HarnessError } from "../errors.ts";
import { parseDurationMs } from "../scenario/duration.ts";
import type { MetricType } from "../timeline/types.ts";
import { checkNames } from "./checks/index.ts";

/**
 * The threshold language: k6's, read the way k6 reads it, plus duration units on the value.
 *
 * A scenario declares thresholds like k6's `options.thresholds`: a metric key mapped to one
 * threshold or a list of them, each a string or an object:
 *
 *   thresholds  := { metric_key: threshold | threshold[] }
 *   threshold   := expression | { threshold: expression, abortOnFail?: boolean,
 *                                 delayAbortEval?: duration | number (ms) }
 *
 * The metric key (k6's submetric syntax):
 *
 *   metric_key  := name | name "{" tag ("," tag)* "}"          "}" must be the last character
 *   name        := 1 to 128 of: letters, digits, . _ space ! ? / & # ( ) < > % -   (k6's alphabet)
 *   tag         := ws* key ws* ":" ws* value ws*                 the first ":" splits key and value
 *   key, value  := text with surrounding quotes (' or ") removed; a quoted value may hold "," and "}"
 *
 * `{phase:X}` is not a sample tag: it selects the windows of phase X (from `phase` events, each
 * lasting until the next one or the end of the timeline). Every other tag filters series.
 *
 * The expression (k6's `metrics/thresholds_parser.go`, same tokens and whitespace rules):
 *
 *   expression  := ws* method ws* operator ws* number unit? ws*
 *   method      := "count" | "rate" | "value" | "avg" | "min" | "med" | "max" | "p(" number ")"
 *   operator    := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="     ("===" means "==")
 *   number      := ["-" | "+"] (digit+ ["." digit*] | "." digit+) [("e" | "E") ["-" | "+"] digit+]
 *   unit        := ("ns" | "us" | "µs" | "ms" | "s" | "m" | "h") (number unit)*
 *                  harness extension; only after an unsigned number without exponent (`1m30s`)
 *   ws          := " " | "\t"
 *
 * No whitespace inside `p(N)` or inside the number (k6 rejects `p( 95)` and `2 00` too). N is a
 * percentile in [0, 100] and may be fractional (`p(99.9)`). A value with a duration unit (`30s`,
 * `250ms`, `1m30s`) converts to the metric's unit when evaluated (ms for time trends).
 *
 * Methods by metric type (k6's table): counter: count, rate (per second) · gauge: value ·
 * rate: rate · trend: avg, min, med, max, p(N). Resilience checks (`recovery_time`, ...) are
 * gauge-like: `value`. A wrong method for a known metric is a parse error; for a metric only the
 * run defines, the evaluator reports it.
 */

/** k6's aggregation methods; `p` is `p(N)`. */
export type AggregationMethod = "count" | "rate" | "value" | "avg" | "min" | "med" | "max" | "p";

/** k6's operators, `===` kept as written (it means `==`). */
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

/** One parsed expression such as `p(99.9) < 2s`. */
export interface ThresholdExpression {
  /** The expression as written. */
  source: string;
  method: AggregationMethod;
  /** For `p(N)`: N, in [0, 100]. */
  percentile?: number;
  operator: ThresholdOperator;
  /** The right-hand number as written when it has no unit; in ms when `durationMs` is set. */
  value: number;
  /** Set when the value carried a duration unit: the value in ms, converted at evaluation. */
  durationMs?: number;
}

/** What a threshold's metric key selects. */
export interface MetricSelector {
  /** The key as written: `http_req_duration{endpoint:orders,phase:recovery}`. */
  key: string;
  /** The metric name: `http_req_duration`. */
  name: string;
  /** Sample tags every series must carry (`phase` excluded). */
  tags: Record<string, string>;
  /** The phase whose windows the threshold reads, from `{phase:X}`. */
  phase?: string;
}

/** One threshold ready to evaluate. */
export interface ParsedThreshold {
  metric: MetricSelector;
  expression: ThresholdExpression;
  /** Stop the run as soon as this threshold fails (k6's `abortOnFail`). Default false. */
  abortOnFail: boolean;
  /** Do not abort before this much run time, ms (k6's `delayAbortEval`). Absent: no delay. */
  delayAbortEvalMs?: number;
}

/** One threshold as a scenario writes it (k6's forms). */
export type ThresholdSpec =
  | string
  | {
      threshold: string;
      abortOnFail?: boolean;
      /** A duration (`10s`) or ms. */
      delayAbortEval?: string | number;
    };

/** A scenario's thresholds, k6's `options.thresholds`. */
export type ThresholdsConfig = Readonly<Record<string, ThresholdSpec | readonly ThresholdSpec[]>>;

/** The metric types and units the harness and k6 define, so a wrong method fails before the run. */
export const KNOWN_METRICS: Readonly<Record<string, { type: MetricType; unit: string }>> = {
  http_reqs: { type: "counter", unit: "" },
  http_req_failed: { type: "rate", unit: "" },
  http_req_duration: { type: "trend", unit: "ms" },
  http_req_blocked: { type: "trend", unit: "ms" },
  http_req_connecting: { type: "trend", unit: "ms" },
  http_req_tls_handshaking: { type: "trend", unit: "ms" },
  http_req_sending: { type: "trend", unit: "ms" },
  http_req_waiting: { type: "trend", unit: "ms" },
  http_req_receiving: { type: "trend", unit: "ms" },
  iteration_duration: { type: "trend", unit: "ms" },
  group_duration: { type: "trend", unit: "ms" },
  iterations: { type: "counter", unit: "" },
  dropped_iterations: { type: "counter", unit: "" },
  checks: { type: "rate", unit: "" },
  data_received: { type: "counter", unit: "bytes" },
  data_sent: { type: "counter", unit: "bytes" },
  vus: { type: "gauge", unit: "" },
  vus_max: { type: "gauge", unit: "" },
  generator_late: { type: "counter", unit: "" },
  generator_dropped: { type: "counter", unit: "" },
  generator_event_loop_lag: { type: "gauge", unit: "ms" },
  generator_cpu: { type: "gauge", unit: "" },
};

/** Which methods apply to which metric type (k6's table). */
export const METHODS_BY_TYPE: Readonly<Record<MetricType, readonly AggregationMethod[]>> = {
  counter: ["count", "rate"],
  gauge: ["value"],
  rate: ["rate"],
  trend: ["avg", "min", "med", "max", "p"],
};

/** `p(N)` shown as `p(N)`, the others as their word. */
export function methodLabel(method: AggregationMethod): string {
  return method === "p" ? "p(N)" : method;
}

/** A syntax problem at a position of the text (0-based). */
export class ThresholdSyntaxError extends Error {
  readonly position: number;
  readonly text: string;
  constructor(message: string, text: string, position: number) {
    super(message);
    this.name = "ThresholdSyntaxError";
    this.text = text;
    this.position = position;
  }
}

const OPERATORS: readonly ThresholdOperator[] = ["===", "==", "!=", "<=", ">=", "<", ">"];
const METHOD_WORDS: readonly AggregationMethod[] = ["count", "rate", "value", "avg", "min", "med", "max"];
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const METRIC_NAME = /^[\p{L}\p{N}._ !?/&#()<>%-]{1,128}$/u;

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/** Parse one expression (`p(95)<500`). Throws ThresholdSyntaxError with the position at fault. */
export function parseThresholdExpression(text: string): ThresholdExpression {
  let i = 0;
  const skip = (): void => {
    while (isSpace(text[i])) i++;
  };
  skip();
  if (i >= text.length) throw new ThresholdSyntaxError("empty expression", text, i);

  // method
  const methodStart = i;
  let method: AggregationMethod | undefined;
  let percentile: number | undefined;
  if (text.startsWith("p(", i)) {
    i += 2;
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) throw new ThresholdSyntaxError("expected a percentile number after 'p('", text, i);
    percentile = Number(m[0]);
    i += m[0].length;
    if (text[i] !== ")") throw new ThresholdSyntaxError("expected ')' to close 'p('", text, i);
    i++;
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new ThresholdSyntaxError(`percentile ${m[0]} is outside 0..100`, text, methodStart + 2);
    }
    method = "p";
  } else {
    for (const w of METHOD_WORDS) {
      if (text.startsWith(w, i) && !/[A-Za-z0-9_(]/.test(text[i + w.length] ?? "")) {
        method = w;
        i += w.length;
        break;
      }
    }
    if (!method) {
      throw new ThresholdSyntaxError(
        "expected an aggregation method: count, rate, value, avg, min, med, max or p(N)",
        text,
        methodStart,
      );
    }
  }
  skip();

  // operator
  const opStart = i;
  const operator = OPERATORS.find((op) => text.startsWith(op, i));
  if (!operator) throw new ThresholdSyntaxError("expected an operator: <, <=, >, >=, ==, === or !=", text, opStart);
  i += operator.length;
  skip();

  // value, with an optional duration unit
  const valueStart = i;
  NUMBER.lastIndex = i;
  const num = NUMBER.exec(text);
  if (!num) throw new ThresholdSyntaxError(`expected a number after '${operator}'`, text, valueStart);
  let value = Number(num[0]);
  let durationMs: number | undefined;
  i += num[0].length;
  DURATION_PART.lastIndex = valueStart;
  const unitFollows = /[a-zµ]/i.test(text[i] ?? "");
  if (unitFollows && /^[-+]|[eE]/.test(num[0])) {
    throw new ThresholdSyntaxError("a duration is written like 30s, 250ms or 1m30s", text, valueStart);
  }
  if (unitFollows && DURATION_PART.exec(text)) {
    durationMs = 0;
    i = valueStart;
    while (i < text.length && !isSpace(text[i])) {
      DURATION_PART.lastIndex = i;
      const part = DURATION_PART.exec(text);
      if (!part) throw new ThresholdSyntaxError("malformed duration (units: ns, us, ms, s, m, h)", text, i);
      durationMs += Number(part[1]) * UNIT_MS[part[2]!]!;
      i += part[0].length;
    }
    value = durationMs;
  }
  skip();
  if (i < text.length) {
    const rest = text.slice(i);
    const why = /^[a-zµ]/i.test(rest)
      ? `unknown unit '${rest.trim()}' (durations: ns, us, ms, s, m, h)`
      : `unexpected '${rest.trim()}' after the value`;
    throw new ThresholdSyntaxError(why, text, i);
  }
  if (durationMs !== undefined && (method === "count" || method === "rate")) {
    throw new ThresholdSyntaxError(`${method} is a number, not a duration`, text, valueStart);
  }
  const out: ThresholdExpression = { source: text, method, operator, value };
  if (percentile !== undefined) out.percentile = percentile;
  if (durationMs !== undefined) out.durationMs = durationMs;
  return out;
}

/** Parse a metric key (`http_req_duration{endpoint:orders,phase:recovery}`). */
export function parseMetricSelector(key: string): MetricSelector {
  const open = key.indexOf("{");
  if (open === -1) {
    const close = key.indexOf("}");
    if (close !== -1) throw new ThresholdSyntaxError("'}' without '{'", key, close);
    checkName(key, key);
    return { key, name: key, tags: {} };
  }
  const name = key.slice(0, open);
  checkName(name, key);
  if (key[key.length - 1] !== "}") {
    throw new ThresholdSyntaxError("a tag filter must end the key with '}'", key, key.length);
  }
  const tags: Record<string, string> = {};
  let phase: string | undefined;
  for (const [raw, at] of splitTags(key, open + 1, key.length - 1)) {
    const colon = raw.indexOf(":");
    if (colon === -1) throw new ThresholdSyntaxError("a tag is written key:value", key, at);
    const k = unquote(raw.slice(0, colon));
    const v = unquote(raw.slice(colon + 1));
    if (!k) throw new ThresholdSyntaxError("empty tag key", key, at);
    if (!v) throw new ThresholdSyntaxError(`empty value for tag '${k}'`, key, at + colon + 1);
    if (k === "phase") phase = v;
    else tags[k] = v;
  }
  const out: MetricSelector = { key, name, tags };
  if (phase !== undefined) out.phase = phase;
  return out;
}

function checkName(name: string, key: string): void {
  if (!METRIC_NAME.test(name) || name.trim() !== name) {
    throw new ThresholdSyntaxError(name ? `'${name}' is not a metric name` : "missing metric name", key, 0);
  }
}

/** Split `a:1, b:'x,y'` on commas outside quotes; yields each part with its start position. */
function splitTags(text: string, from: number, to: number): Array<[string, number]> {
  const parts: Array<[string, number]> = [];
  let start = from;
  let quote: string | undefined;
  for (let i = from; i <= to; i++) {
    const c = text[i];
    if (i === to || (c === "," && !quote)) {
      const part = text.slice(start, i);
      if (part.trim() === "") throw new ThresholdSyntaxError("empty tag in the filter", text, start);
      parts.push([part, start]);
      start = i + 1;
    } else if (quote && c === quote) quote = undefined;
    else if (!quote && (c === "'" || c === '"') && text.slice(start, i).trim().endsWith(":")) quote = c;
    else if (!quote && c === "{") throw new ThresholdSyntaxError("unexpected '{' inside a tag filter", text, i);
    else if (!quote && c === "}") throw new ThresholdSyntaxError("unexpected '}' inside a tag filter", text, i);
  }
  if (quote) throw new ThresholdSyntaxError(`unclosed ${quote} in the tag filter`, text, to);
  return parts;
}

/** k6 trims spaces, then quote characters, from both ends of keys and values. */
function unquote(s: string): string {
  return s.trim().replace(/^["']+|["']+$/g, "");
}

export interface ParseThresholdsOptions {
  /** The scenario file the thresholds come from, named in errors. */
  scenarioFile?: string;
  /**
   * The phases the scenario has: a `{phase:X}` naming another is an error before the run (a typo
   * would otherwise only show as "not measured" after it). Absent: any phase name is accepted.
   */
  phases?: readonly string[];
}

/**
 * Parse and check a scenario's thresholds. Every problem is reported at once, in one
 * HarnessError `HARNESS_THRESHOLD_INVALID` naming the scenario file and quoting each bad
 * expression with a caret under the fault.
 */
export function parseThresholds(config: ThresholdsConfig, options: ParseThresholdsOptions = {}): ParsedThreshold[] {
  const where = options.scenarioFile ?? "thresholds";
  const out: ParsedThreshold[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    let metric: MetricSelector | undefined;
    try {
      metric = parseMetricSelector(key);
    } catch (e) {
      problems.push(describe(e, `metric key "${key}"`));
    }
    if (metric?.phase !== undefined && options.phases && !options.phases.includes(metric.phase)) {
      problems.push(
        `metric key "${key}": the scenario has no phase '${metric.phase}' (phases: ${options.phases.join(", ")})`,
      );
      metric = undefined;
    }
    const specs: readonly unknown[] = Array.isArray(value) ? value : [value];
    if (specs.length === 0) problems.push(`metric key "${key}": no thresholds listed`);
    specs.forEach((spec, index) => {
      const label = `${key}[${index}]`;
      const norm = normalizeSpec(spec);
      if (typeof norm === "string") {
        problems.push(`${label}: ${norm}`);
        return;
      }
      let expression: ThresholdExpression;
      try {
        expression = parseThresholdExpression(norm.threshold);
      } catch (e) {
        problems.push(describe(e, `threshold "${norm.threshold}" on ${key}`));
        return;
      }
      if (!metric) return;
      const mismatch = knownMismatch(metric.name, expression);
      if (mismatch) {
        problems.push(`threshold "${norm.threshold}" on ${key}: ${mismatch}`);
        return;
      }
      const parsed: ParsedThreshold = { metric, expression, abortOnFail: norm.abortOnFail };
      if (norm.delayAbortEvalMs !== undefined) parsed.delayAbortEvalMs = norm.delayAbortEvalMs;
      out.push(parsed);
    });
  }
  if (problems.length > 0) {
    const n = problems.length;
    throw new HarnessError(
      "HARNESS_THRESHOLD_INVALID",
      `${where}: ${n === 1 ? "invalid threshold" : `${n} invalid thresholds`}:\n${problems.map((p) => indent(p)).join("\n")}`,
      {
        hint: "write thresholds as k6 does, e.g. http_req_duration: ['p(95)<500'], 'http_req_failed{phase:steady}': ['rate<0.001']",
      },
    );
  }
  return out;
}

interface NormalSpec {
  threshold: string;
  abortOnFail: boolean;
  delayAbortEvalMs?: number;
}

function normalizeSpec(spec: unknown): NormalSpec | string {
  if (typeof spec === "string") return { threshold: spec, abortOnFail: false };
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    return "a threshold is a string or { threshold, abortOnFail?, delayAbortEval? }";
  }
  const o = spec as Record<string, unknown>;
  const unknownKeys = Object.keys(o).filter((k) => !["threshold", "abortOnFail", "delayAbortEval"].includes(k));
  if (unknownKeys.length > 0)
    return `unknown field(s) ${unknownKeys.join(", ")} (allowed: threshold, abortOnFail, delayAbortEval)`;
  if (typeof o.threshold !== "string") return "the object form needs a `threshold` string";
  if (o.abortOnFail !== undefined && typeof o.abortOnFail !== "boolean") return "abortOnFail must be true or false";
  const out: NormalSpec = { threshold: o.threshold, abortOnFail: o.abortOnFail === true };
  if (o.delayAbortEval !== undefined) {
    if (typeof o.delayAbortEval !== "string" && typeof o.delayAbortEval !== "number") {
      return "delayAbortEval must be a duration such as '10s' or a number of ms";
    }
    try {
      out.delayAbortEvalMs = parseDurationMs(o.delayAbortEval, "delayAbortEval");
    } catch {
      return `delayAbortEval '${String(o.delayAbortEval)}' is not a duration (write 10s, 1m30s or ms)`;
    }
  }
  return out;
}

/** For a metric whose type the harness knows before the run, the problem with this method, if any. */
function knownMismatch(name: string, expression: ThresholdExpression): string | undefined {
  // Checks are gauge-like; their unit is known only when they measure.
  if (checkNames.has(name)) return methodProblem(name, "gauge", expression.method, true);
  const known = KNOWN_METRICS[name];
  if (!known) return undefined;
  const problem = methodProblem(name, known.type, expression.method);
  if (problem) return problem;
  if (expression.durationMs !== undefined && !isTimeUnit(known.unit)) {
    return `${name} is not a time metric (unit '${known.unit || "none"}'): write the value without a duration unit`;
  }
  return undefined;
}

/** The error for a method that does not apply to a metric type (k6's wording), or undefined. */
export function methodProblem(
  name: string,
  type: MetricType,
  method: AggregationMethod,
  isCheck = false,
): string | undefined {
  const allowed = METHODS_BY_TYPE[type];
  if (allowed.includes(method)) return undefined;
  const kind = isCheck ? "resilience check" : `${type} metric`;
  return `${methodLabel(method)} does not apply to ${name}, a ${kind}; use ${allowed.map(methodLabel).join(", ")}`;
}

/** ms per unit for time units, undefined for others. */
export function msPerUnit(unit: string): number | undefined {
  return unit === "" ? undefined : UNIT_MS[unit];
}

function isTimeUnit(unit: string): boolean {
  return msPerUnit(unit) !== undefined;
}

function describe(e: unknown, what: string): string {
  if (e instanceof ThresholdSyntaxError) {
    return `${what}: ${e.message}\n    ${e.text}\n    ${" ".repeat(Math.max(0, e.position))}^`;
  }
  throw e;
}

function indent(s: string): string {
  return s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
