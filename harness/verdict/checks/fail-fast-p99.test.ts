import { describe, expect, it } from "vitest";
import { HarnessError } from "../../errors.ts";
import type { Timeline } from "../../timeline/index.ts";
import { evaluate } from "../evaluate.ts";
import { parseThresholds } from "../parse.ts";
import { failFastP99 } from "./fail-fast-p99.ts";
import { breakerRun } from "./testing/breaker-run.ts";

const measure = (t: Timeline, params?: Record<string, unknown>, tags: Record<string, string> = {}) =>
  failFastP99(params).measure({ timeline: t, tags, endMs: t.endMs });

describe("fail_fast_p99", () => {
  it("reads the failures sent while the breaker was open: from the interval after it was seen open to the revert", () => {
    // Open seen by 12.0 s, reverted at 22.5 s: failures sent in [12 s, 22 s), 50 per second, all 3 ms.
    const r = measure(breakerRun());
    expect(r).toMatchObject({ measured: true, unit: "ms" });
    if (!r.measured) return;
    expect(r.value).toBeCloseTo(3, 1);
    expect(r.data).toMatchObject({ fromMs: 12_000, toMs: 22_000, failedRequests: 500, breakerSeenOpen: true });
    expect(r.detail).toMatch(
      /p99 of 500 failed requests sent from 12\.0 s to the revert at 22\.5 s \(breaker of shard1 open by 12\.0 s\)/,
    );
    expect(r.detail).toMatch(/the 500 that succeeded meanwhile: p99 4\.0 ms$/);
    console.log(`fail_fast_p99 ${r.value} ms: ${r.detail}`);
  });

  it("leaves out the slow failures before the breaker opened and every success", () => {
    // The 1003 ms failures of [10.3 s, 11.4 s) and the 4 ms successes would move p99 if counted.
    const r = measure(breakerRun({ failFastMs: 2 }));
    expect(r.measured && r.value).toBeCloseTo(2, 1);
  });

  it("counts a half-open trial the client waited for", () => {
    // 6 of the window's 500 failures (1.2%) waited for the timeout: p99 sits on them.
    const trials = [13_000, 14_000, 15_000, 16_000, 17_000, 18_000];
    const r = measure(breakerRun({ trialsAtMs: trials }));
    expect(r.measured && r.value).toBeGreaterThan(1000);
  });

  it("without a breaker reads the failures from graceMs after the inject: each waited for the timeout", () => {
    const r = measure(breakerRun({ openAtMs: undefined }));
    expect(r).toMatchObject({ measured: true });
    if (!r.measured) return;
    expect(r.value).toBeCloseTo(1003, -1);
    expect(r.data).toMatchObject({ fromMs: 13_000, toMs: 22_000, breakerSeenOpen: false });
    expect(r.detail).toMatch(/no breaker of shard1 seen open; from 2\.0 s after fault latency-shard1/);
    expect(measure(breakerRun({ openAtMs: undefined }), { graceMs: "5s" })).toMatchObject({
      data: { fromMs: 16_000 },
    });
  });

  it("filters requests by the threshold's tags", () => {
    expect(measure(breakerRun(), {}, { endpoint: "accounts" })).toMatchObject({ measured: true });
    expect(measure(breakerRun(), {}, { endpoint: "orders" })).toMatchObject({
      measured: false,
      reason: expect.stringMatching(/^no request failed from 12\.0 s to the revert at 22\.5 s/),
    });
  });

  it("is not measured without a fault, or when nothing failed in the window", () => {
    expect(measure(breakerRun({ injectAtMs: undefined }))).toEqual({
      measured: false,
      reason: "no fault was injected",
    });
    // Reverted before the breaker's interval closed: no whole interval of open breaker.
    expect(measure(breakerRun({ revertAtMs: 12_400 }))).toMatchObject({ measured: false });
  });

  it("is judged as `value<50` in ms: passes with the breaker, fails without it", () => {
    expect(evaluate(breakerRun(), { fail_fast_p99: ["value<50"] }).status).toBe("pass");
    const off = evaluate(breakerRun({ openAtMs: undefined }), { fail_fast_p99: ["value<50"] });
    expect(off.status).toBe("fail");
    expect(off.thresholds[0]?.reason).toMatch(/value = 100\d(\.\d+)? ms, not < 50/);
  });

  it("is a check read with `value`: a trend method on it is refused before the run", () => {
    expect(() => parseThresholds({ fail_fast_p99: ["p(99)<50"] })).toThrow(/fail_fast_p99/);
    expect(parseThresholds({ fail_fast_p99: ["value<50"], breaker_open_time: ["value<5s"] })).toHaveLength(2);
  });

  it("rejects bad params all at once", () => {
    let caught: unknown;
    try {
      failFastP99({ graceMs: "soon", percentile: 95 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HarnessError);
    expect((caught as HarnessError).message).toMatch(/graceMs must be a positive duration.*unknown param 'percentile'/);
  });
});
