import { describe, expect, it } from "vitest";
import { HarnessError } from "../errors.ts";
import {
  parseMetricSelector,
  parseThresholdExpression,
  parseThresholds,
  type ThresholdExpression,
  ThresholdSyntaxError,
} from "./parse.ts";

type Expected = Omit<ThresholdExpression, "source">;

// Every expression form of k6's thresholds documentation, plus its whitespace rules.
const expressions: Array<[string, Expected]> = [
  ["rate<0.01", { method: "rate", operator: "<", value: 0.01 }],
  ["p(95)<200", { method: "p", percentile: 95, operator: "<", value: 200 }],
  ["p(90) < 400", { method: "p", percentile: 90, operator: "<", value: 400 }],
  ["p(99.9) < 2000", { method: "p", percentile: 99.9, operator: "<", value: 2000 }],
  ["p(99.99)<1", { method: "p", percentile: 99.99, operator: "<", value: 1 }],
  ["p(0)>=0", { method: "p", percentile: 0, operator: ">=", value: 0 }],
  ["p(100)<=5", { method: "p", percentile: 100, operator: "<=", value: 5 }],
  ["avg < 200", { method: "avg", operator: "<", value: 200 }],
  ["avg<100", { method: "avg", operator: "<", value: 100 }],
  ["min>0", { method: "min", operator: ">", value: 0 }],
  ["med<150", { method: "med", operator: "<", value: 150 }],
  ["max<400", { method: "max", operator: "<", value: 400 }],
  ["max>=0", { method: "max", operator: ">=", value: 0 }],
  ["count>10", { method: "count", operator: ">", value: 10 }],
  ["count >= 200", { method: "count", operator: ">=", value: 200 }],
  ["count<100", { method: "count", operator: "<", value: 100 }],
  ["count==0", { method: "count", operator: "==", value: 0 }],
  ["count===0", { method: "count", operator: "===", value: 0 }],
  ["count!=3", { method: "count", operator: "!=", value: 3 }],
  ["value<500", { method: "value", operator: "<", value: 500 }],
  ["rate>0.95", { method: "rate", operator: ">", value: 0.95 }],
  ["rate<=0.01", { method: "rate", operator: "<=", value: 0.01 }],
  ["rate > 0.9", { method: "rate", operator: ">", value: 0.9 }],
  ["  rate\t<\t0.9  ", { method: "rate", operator: "<", value: 0.9 }],
  ["p(95)   <   500", { method: "p", percentile: 95, operator: "<", value: 500 }],
  // k6 reads the value with Go's ParseFloat: signs, leading dots and exponents parse.
  ["value>-1", { method: "value", operator: ">", value: -1 }],
  ["rate<.5", { method: "rate", operator: "<", value: 0.5 }],
  ["count<1e3", { method: "count", operator: "<", value: 1000 }],
  // Harness extension: a duration unit on the value.
  ["p(99)<2s", { method: "p", percentile: 99, operator: "<", value: 2000, durationMs: 2000 }],
  ["p(95) < 250ms", { method: "p", percentile: 95, operator: "<", value: 250, durationMs: 250 }],
  ["value<30s", { method: "value", operator: "<", value: 30_000, durationMs: 30_000 }],
  ["avg<2m", { method: "avg", operator: "<", value: 120_000, durationMs: 120_000 }],
  ["max<1m30s", { method: "max", operator: "<", value: 90_000, durationMs: 90_000 }],
  ["max<1.5s", { method: "max", operator: "<", value: 1500, durationMs: 1500 }],
  ["avg<500us", { method: "avg", operator: "<", value: 0.5, durationMs: 0.5 }],
  ["avg<1h", { method: "avg", operator: "<", value: 3_600_000, durationMs: 3_600_000 }],
];

// Malformed input: the message and the caret column.
const malformed: Array<[string, RegExp, number]> = [
  ["", /empty expression/, 0],
  ["   ", /empty expression/, 3],
  ["p95<200", /aggregation method/, 0],
  ["P(95)<200", /aggregation method/, 0],
  ["average<200", /aggregation method/, 0],
  ["sum<3", /aggregation method/, 0],
  ["p(95 <200", /expected '\)'/, 4],
  ["p( 95)<200", /percentile number/, 2],
  ["p()<200", /percentile number/, 2],
  ["p(abc)<200", /percentile number/, 2],
  ["p(101)<200", /outside 0..100/, 2],
  ["p(-1)<200", /outside 0..100/, 2],
  ["avg 200", /operator/, 4],
  ["avg=200", /operator/, 3],
  ["avg=>200", /operator/, 3],
  ["avg<", /number after '<'/, 4],
  ["avg<abc", /number after '<'/, 4],
  ["avg<<200", /number after '<'/, 4],
  ["avg<2 00", /unexpected '00'/, 6],
  ["avg<200 ms", /unknown unit 'ms'/, 8],
  ["avg<200 extra", /unknown unit/, 8],
  ["avg<30x", /unknown unit 'x'/, 6],
  ["avg<30sec", /malformed duration/, 7],
  ["avg<-5ms", /duration is written/, 4],
  ["count<5s", /count is a number, not a duration/, 6],
  ["rate<1ms", /rate is a number, not a duration/, 5],
  ["avg<200 && max<300", /unexpected '&& max<300'/, 8],
];

describe("threshold expressions", () => {
  it.each(expressions)("parses %j as k6 does", (text, expected) => {
    expect(parseThresholdExpression(text)).toEqual({ source: text, ...expected });
  });

  it.each(malformed)("rejects %j: %s at column %i", (text, message, column) => {
    let caught: unknown;
    try {
      parseThresholdExpression(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ThresholdSyntaxError);
    expect((caught as ThresholdSyntaxError).message).toMatch(message);
    expect((caught as ThresholdSyntaxError).position).toBe(column);
  });
});

// k6's submetric syntax: `name{k:v,...}`; spaces and quotes around keys and values are trimmed.
const selectors: Array<[string, { name: string; tags: Record<string, string>; phase?: string }]> = [
  ["http_req_duration", { name: "http_req_duration", tags: {} }],
  ["http_req_duration{type:API}", { name: "http_req_duration", tags: { type: "API" } }],
  ["http_req_duration{name:PublicCrocs}", { name: "http_req_duration", tags: { name: "PublicCrocs" } }],
  ["http_req_duration{status:200}", { name: "http_req_duration", tags: { status: "200" } }],
  ["http_req_failed{endpoint:errs}", { name: "http_req_failed", tags: { endpoint: "errs" } }],
  ["checks{myTag:hola}", { name: "checks", tags: { myTag: "hola" } }],
  ["group_duration{group:::individualRequests}", { name: "group_duration", tags: { group: "::individualRequests" } }],
  [
    "http_req_duration{url:http://127.0.0.1:8080/users}",
    { name: "http_req_duration", tags: { url: "http://127.0.0.1:8080/users" } },
  ],
  [
    "http_req_duration{ method : GET , status:200 }",
    { name: "http_req_duration", tags: { method: "GET", status: "200" } },
  ],
  ['checks{check:"status is 200"}', { name: "checks", tags: { check: "status is 200" } }],
  ["checks{check:'status is 200'}", { name: "checks", tags: { check: "status is 200" } }],
  ["checks{'check':'a, b'}", { name: "checks", tags: { check: "a, b" } }],
  ['my_trend{k:"a}b"}', { name: "my_trend", tags: { k: "a}b" } }],
  ["http_req_duration{expected_response:true}", { name: "http_req_duration", tags: { expected_response: "true" } }],
  ["my custom metric", { name: "my custom metric", tags: {} }],
  ["http_req_duration{phase:recovery}", { name: "http_req_duration", tags: {}, phase: "recovery" }],
  [
    "http_req_duration{endpoint:orders,phase:recovery}",
    { name: "http_req_duration", tags: { endpoint: "orders" }, phase: "recovery" },
  ],
  ["recovery_time{endpoint:orders}", { name: "recovery_time", tags: { endpoint: "orders" } }],
];

const badSelectors: Array<[string, RegExp]> = [
  ["", /missing metric name/],
  ["{a:b}", /missing metric name/],
  ["http_req_duration{", /must end the key with '}'/],
  ["http_req_duration}", /'}' without '{'/],
  ["http_req_duration{a:b}x", /must end the key with '}'/],
  ["http_req_duration{}", /empty tag/],
  ["http_req_duration{a:b,}", /empty tag/],
  ["http_req_duration{,a:b}", /empty tag/],
  ["http_req_duration{a}", /key:value/],
  ["http_req_duration{a:}", /empty value for tag 'a'/],
  ["http_req_duration{:b}", /empty tag key/],
  ["http_req_duration{a:'b}", /unclosed '/],
  ["http_req_duration{a:{b}}", /unexpected '\{'/],
  [" http_req_duration", /not a metric name/],
  ["http_req_duration\n", /not a metric name/],
];

describe("metric keys", () => {
  it.each(selectors)("reads %j as k6's submetric (phase apart)", (key, expected) => {
    expect(parseMetricSelector(key)).toEqual({ key, ...expected });
  });

  it.each(badSelectors)("rejects %j", (key, message) => {
    expect(() => parseMetricSelector(key)).toThrow(message);
  });
});

function parseError(config: Parameters<typeof parseThresholds>[0]): HarnessError {
  try {
    parseThresholds(config, { scenarioFile: "scenarios/failover-primary.ts" });
  } catch (e) {
    if (e instanceof HarnessError) return e;
    throw e;
  }
  throw new Error("expected a parse error");
}

describe("parseThresholds", () => {
  it("accepts k6's string and object forms, abortOnFail and delayAbortEval", () => {
    const parsed = parseThresholds({
      http_req_failed: ["rate<0.01", { threshold: "rate<0.5", abortOnFail: true }],
      http_req_duration: [{ threshold: "p(99) < 10", abortOnFail: true, delayAbortEval: "10s" }],
      checks: "rate>0.9",
      "http_req_duration{phase:recovery}": { threshold: "p(99)<2s", delayAbortEval: 1500 },
      recovery_time: ["value<30s"],
      lost_writes: ["value==0"],
    });
    expect(parsed.map((p) => [p.metric.key, p.expression.source, p.abortOnFail, p.delayAbortEvalMs])).toEqual([
      ["http_req_failed", "rate<0.01", false, undefined],
      ["http_req_failed", "rate<0.5", true, undefined],
      ["http_req_duration", "p(99) < 10", true, 10_000],
      ["checks", "rate>0.9", false, undefined],
      ["http_req_duration{phase:recovery}", "p(99)<2s", false, 1500],
      ["recovery_time", "value<30s", false, undefined],
      ["lost_writes", "value==0", false, undefined],
    ]);
  });

  it("points at the scenario file and quotes the expression with a caret under the fault", () => {
    const e = parseError({ http_req_duration: ["p(95)<<500"] });
    expect(e.code).toBe("HARNESS_THRESHOLD_INVALID");
    expect(e.exitCode).toBe(2);
    expect(e.hint).toBeTruthy();
    expect(e.message).toContain("scenarios/failover-primary.ts: invalid threshold");
    expect(e.message).toContain('threshold "p(95)<<500" on http_req_duration');
    const lines = e.message.split("\n");
    const quoted = lines.findIndex((l) => l.trim() === "p(95)<<500");
    expect(quoted).toBeGreaterThan(0);
    const caretColumn = lines[quoted + 1]!.indexOf("^");
    expect(caretColumn - lines[quoted]!.indexOf("p(95)")).toBe(6);
  });

  it("reports every problem at once", () => {
    const e = parseError({
      http_req_duration: ["p(95)<500", "avg<"],
      "http_req_failed{endpoint": ["rate<0.01"],
      checks: [{ threshold: "rate>0.9", abortOnFail: "yes" } as never],
    });
    expect(e.message).toContain("3 invalid thresholds");
    expect(e.message).toContain('"avg<"');
    expect(e.message).toContain('metric key "http_req_failed{endpoint"');
    expect(e.message).toContain("abortOnFail must be true or false");
  });

  const typeErrors: Array<[string, string, RegExp]> = [
    ["http_req_failed", "p(95)<1", /p\(N\) does not apply to http_req_failed, a rate metric; use rate/],
    [
      "http_req_duration",
      "rate<1",
      /rate does not apply to http_req_duration, a trend metric; use avg, min, med, max, p\(N\)/,
    ],
    ["http_req_duration", "count<1", /count does not apply/],
    ["http_reqs", "avg<1", /avg does not apply to http_reqs, a counter metric; use count, rate/],
    ["vus", "max<10", /max does not apply to vus, a gauge metric; use value/],
    ["checks", "value>0.9", /value does not apply to checks, a rate metric/],
    ["recovery_time", "p(99)<30s", /p\(N\) does not apply to recovery_time, a resilience check; use value/],
    ["http_req_duration{phase:recovery}", "rate<0.1", /rate does not apply/],
    ["data_received", "value<1s", /use count, rate|not a time metric/],
    ["generator_cpu", "value<1s", /generator_cpu is not a time metric/],
  ];
  it.each(typeErrors)("rejects a method the metric's type does not have: %s %s", (metric, expr, message) => {
    expect(parseError({ [metric]: [expr] }).message).toMatch(message);
  });

  const specErrors: Array<[unknown, RegExp]> = [
    [[], /no thresholds listed/],
    [[42], /a threshold is a string or/],
    [[{ abortOnFail: true }], /needs a `threshold` string/],
    [[{ threshold: "rate<1", abortOnfail: true }], /unknown field\(s\) abortOnfail/],
    [[{ threshold: "rate<1", delayAbortEval: "soon" }], /delayAbortEval 'soon' is not a duration/],
    [[{ threshold: "rate<1", delayAbortEval: true }], /delayAbortEval must be a duration/],
  ];
  it.each(specErrors)("rejects the malformed threshold spec %j", (spec, message) => {
    expect(parseError({ http_req_failed: spec as never }).message).toMatch(message);
  });

  it("rejects a phase the scenario does not have, when told its phases", () => {
    const phases = ["warmup", "steady", "fault", "recovery", "post"];
    expect(parseThresholds({ "http_req_duration{phase:recovery}": ["p(99)<2s"] }, { phases })).toHaveLength(1);
    expect(() => parseThresholds({ "http_req_duration{phase:recvery}": ["p(99)<2s"] }, { phases })).toThrow(
      /the scenario has no phase 'recvery' \(phases: warmup, steady, fault, recovery, post\)/,
    );
  });

  it("leaves metrics it does not know to the evaluator", () => {
    expect(parseThresholds({ my_custom_gauge: ["p(95)<1"], app_breaker_state: ["value<2"] })).toHaveLength(2);
  });
});

describe("parser properties", () => {
  it("reads back any well-formed expression, whatever the spaces around the operator", async () => {
    const fc = await import("fast-check");
    const method = fc.oneof(
      fc.constantFrom("count", "rate", "value", "avg", "min", "med", "max"),
      fc.integer({ min: 0, max: 10_000 }).map((n) => `p(${n / 100})`),
    );
    const op = fc.constantFrom("<", "<=", ">", ">=", "==", "===", "!=");
    const ws = fc.constantFrom("", " ", "  ", "\t");
    const value = fc
      .double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
      .map((v) => (v === 0 ? 0 : v));
    fc.assert(
      fc.property(method, op, value, ws, ws, ws, ws, (m, o, v, a, b, c, d) => {
        const e = parseThresholdExpression(`${a}${m}${b}${o}${c}${v}${d}`);
        expect(e.operator).toBe(o);
        expect(e.value).toBe(v);
        expect(e.method === "p" ? `p(${e.percentile})` : e.method).toBe(m);
      }),
    );
  });

  it("fails on any input only with a positioned ThresholdSyntaxError", async () => {
    const fc = await import("fast-check");
    const text = fc.oneof(fc.string(), fc.stringMatching(/^[ a-z()<>=!.0-9µ]{0,16}$/));
    fc.assert(
      fc.property(text, (s) => {
        try {
          parseThresholdExpression(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ThresholdSyntaxError);
          expect((e as ThresholdSyntaxError).position).toBeGreaterThanOrEqual(0);
          expect((e as ThresholdSyntaxError).position).toBeLessThanOrEqual(s.length);
        }
        try {
          parseMetricSelector(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ThresholdSyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
