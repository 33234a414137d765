import { describe, expect, it } from "vitest";
import { HarnessError } from "../errors.ts";
import { manualClock, Timeline } from "../timeline/index.ts";
import { type LoadOptions, planLoad, soak, spike, startLoad, stress, validateLoad, zipf } from "./index.ts";

const base = (over: Partial<LoadOptions> = {}): LoadOptions => ({
  baseUrl: "http://127.0.0.1:8080",
  executor: { executor: "constant-arrival-rate", rate: 100, duration: "10s" },
  requests: [{ path: "/ok" }],
  timeline: new Timeline({ clock: manualClock() }),
  ...over,
});

function thrown(f: () => unknown): HarnessError {
  try {
    f();
  } catch (e) {
    if (e instanceof HarnessError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("startLoad input", () => {
  it("refuses a negative rate with one line naming the field", () => {
    const e = thrown(() =>
      startLoad(base({ executor: { executor: "constant-arrival-rate", rate: -5, duration: "10s" } })),
    );
    expect(e.code).toBe("HARNESS_LOAD_INVALID");
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe("invalid load: constant-arrival-rate.rate must be a number >= 0, got -5");
    expect(e.message).not.toContain("\n");
  });

  it("refuses an unknown executor, naming the known ones", () => {
    const e = thrown(() => startLoad(base({ executor: { executor: "shared-iterations" } as never })));
    expect(e.code).toBe("HARNESS_LOAD_INVALID");
    expect(e.message).toContain('executor "shared-iterations" is unknown (known: constant-arrival-rate');
  });

  it("refuses a malformed URL", () => {
    const e = thrown(() => startLoad(base({ baseUrl: "htp//nowhere" })));
    expect(e.code).toBe("HARNESS_LOAD_INVALID");
    expect(e.message).toBe('invalid load: baseUrl "htp//nowhere" is not a URL (write it like http://127.0.0.1:8080)');
  });

  it("refuses a non-loopback host unless it is allowed", () => {
    const e = thrown(() => startLoad(base({ baseUrl: "http://example.com:8080" })));
    expect(e.code).toBe("HARNESS_HOST_NOT_ALLOWED");
    expect(e.toOneLine()).toBe(
      "refusing to send load to example.com: only loopback targets are allowed (pass --allow-host example.com if this host is yours to load)",
    );
    expect(planLoad(base({ baseUrl: "http://example.com:8080", allowHosts: ["example.com"] })).target).toBe(
      "http://example.com:8080/",
    );
    expect(planLoad(base({ baseUrl: "http://[::1]:9000" })).target).toBe("http://[::1]:9000/");
    expect(planLoad(base({ baseUrl: "http://localhost:9000" })).target).toBe("http://localhost:9000/");
  });

  it("sends nothing when the signal is already aborted", () => {
    const e = thrown(() => startLoad(base({ signal: AbortSignal.abort() })));
    expect(e.code).toBe("HARNESS_INTERRUPTED");
  });

  it("reports every problem at once", () => {
    const problems = validateLoad(
      base({
        executor: { executor: "constant-vus", vus: 0, duration: "-1s" },
        requests: [{ path: "items/{id}", method: "FETCH" as never, weight: 0 }],
        http: { connections: 0 },
        stopWhen: { errorRateAbove: 2 },
      }),
    );
    expect(problems).toEqual([
      "constant-vus.vus must be an integer >= 1, got 0",
      'constant-vus.duration must be a positive duration such as 30s, got "-1s"',
      'requests[0].path must start with "/", got "items/{id}"',
      'requests[0].method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"',
      "requests[0].weight must be a number > 0, got 0",
      "requests[0] uses {id} but params has no id",
      "stopWhen.errorRateAbove must be 0..1, got 2",
      "http.connections must be an integer >= 1, got 0",
    ]);
  });

  it("refuses a mix on the autocannon engine", () => {
    const problems = validateLoad(
      base({ engine: "autocannon", requests: [{ path: "/a" }, { path: "/b/{k}", params: { k: zipf(10) } }] }),
    );
    expect(problems).toEqual([
      "engine autocannon runs only the constant-vus executor (closed model), not constant-arrival-rate",
      "engine autocannon sends one request template, not a mix",
    ]);
  });
});

describe("planLoad", () => {
  it("prints the executor plan and the mix before anything runs", () => {
    const plan = planLoad(
      base({
        requests: [
          { path: "/items/{id}", params: { id: zipf(1000) }, weight: 3 },
          { method: "POST", path: "/writes", json: {}, write: true },
        ],
      }),
    );
    expect(plan.lines).toEqual([
      "load native -> http://127.0.0.1:8080: constant-arrival-rate 100/s for 10s (1000 requests, at most 1000 in flight)",
      "   75.0% GET /items/:id",
      "   25.0% POST /writes (write)",
    ]);
  });
});

describe("shapes", () => {
  it("spike jumps to N times the rate and back", () => {
    const plan = planLoad(base(spike({ rate: 100, factor: 5, before: "10s", spikeFor: "5s", after: "10s" })));
    expect(plan.executor.points.map((p) => [p.atMs, p.value])).toEqual([
      [0, 100],
      [10_000, 100],
      [10_000, 500],
      [15_000, 500],
      [15_000, 100],
      [25_000, 100],
    ]);
    expect(plan.executor.plannedRequests).toBe(1000 + 2500 + 1000);
  });

  it("stress ramps with a default stop condition; soak holds", () => {
    const s = stress({ to: 1000, rampFor: "1m" });
    expect(s.stopWhen).toEqual({ p99AboveMs: 1000, errorRateAbove: 0.05, forIntervals: 2 });
    expect(planLoad(base(s)).executor.peak).toBe(1000);
    expect(planLoad(base(soak({ rate: 50, duration: "1h" }))).executor.plannedRequests).toBe(180_000);
  });
});
