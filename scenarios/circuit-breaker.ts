import { defineScenario, fault, probe, uniform } from "../harness/index.ts";

/**
 * Slow one shard past the app's dependency timeout under load: its breaker must open and fail fast.
 *
 * 200 reads/s of accounts 1..1000, about half of them on shard1. Once steady, a 3 s latency
 * toxic goes on the shard1 link (the app's DB_TIMEOUT_MS is 1 s) for 10 s. With the breaker (5
 * consecutive failures, half-open after 5 s) each app's breaker opened about 1.1 s after the
 * inject; scraped four times a second, `breaker_open_time` read 1.8 s (1 s resolution, rounded
 * up). The failures sent while it was open (503 at once, plus one half-open trial per app that
 * waits for the timeout) had a p99 of 53-102 ms here (up to 500 ms while another benchmark shared
 * the two cores); recovery 12.8 s after the inject, 5.5% errors in the recovery phase (the
 * breakers wait for their next trial). With `--env CIRCUIT_BREAKER=off` no breaker opens
 * (`breaker_open_time` at least 10.0 s, FAIL) and every shard1 request waits for the 1 s timeout:
 * `fail_fast_p99` 1133-1368 ms, FAIL; it recovers sooner (9.8 s, nothing to wait for), so the
 * recovery thresholds pass both ways and only the breaker checks separate the two. The gate
 * `fail_fast_p99 < 500` is half the dependency timeout: a failure that waited for it cannot pass.
 */
export default defineScenario({
  name: "circuit-breaker",
  description: "slow shard1 past the app's 1 s dependency timeout: the breaker opens within seconds and fails fast",
  compose: "compose.yaml",
  target: { service: "lb", port: 8080 },
  // The first shard queries of a fresh topology can pass the 1 s timeout and trip the breakers; they re-close within 10 s.
  warmup: "10s",
  load: {
    executor: {
      executor: "constant-arrival-rate",
      rate: 200,
      timeUnit: "1s",
      duration: "40s",
      maxVUs: 600,
      gracefulStop: "5s",
    },
    // Accounts 1..1000 all exist, about half on each shard (FNV-1a of the id, mod 2).
    requests: [{ endpoint: "accounts", method: "GET", path: "/accounts/{id}", params: { id: uniform(1, 1000) } }],
    timeoutMs: 5000,
    connections: 128,
    lateAfterMs: 50,
  },
  faults: [
    {
      fault: fault.latency({ link: "shard1", latencyMs: 3000, id: "slow-shard1" }),
      when: { steadyFor: "5s", maxErrorRate: 0.01 },
      revert: { after: "10s" },
    },
  ],
  recovery: { watch: "12s" },
  probes: [
    probe.prometheus({
      name: "app",
      targets: [
        { service: "app1", port: 3000 },
        { service: "app2", port: 3000 },
        { service: "app3", port: 3000 },
      ],
      metrics: ["circuit_breaker_state", "circuit_breaker_transitions_total", "dependency_calls_total"],
      // Four scrapes a second: the first open reading lands in the interval the breaker opened in.
      intervalMs: 250,
    }),
  ],
  thresholds: {
    breaker_open_time: ["value<5s"],
    fail_fast_p99: ["value<500"],
    recovery_time: ["value<20s"],
    // Breakers close at their next half-open trial (every 5 s), so up to ~25% can fail after the revert; a
    // breaker that never closes fails recovery_time.
    "http_req_failed{phase:recovery}": ["rate<0.3"],
    "http_req_failed{phase:steady}": ["rate<0.001"],
  },
});
