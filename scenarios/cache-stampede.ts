import { defineScenario, fault, hotKeys, probe } from "../harness/index.ts";

/**
 * Expire the hottest cache keys under load and count what reaches the database.
 *
 * 200 reads/s, 90% of them on users 1..5, with a slow origin: a 150 ms latency toxic on the
 * db_read link for the whole run (a condition, as an expensive query would be). Once steady, the
 * 5 hottest `user:*` keys (Redis's own LFU counters) are deleted at one instant. With the app's
 * stampede protection (a per-key lock, SET NX PX, plus early refresh) each expired key cost the
 * origin 1.2 queries on average here; with `--env STAMPEDE_PROTECTION=off` every read that
 * missed during the 150 ms refill queried the origin too: 5.8 per key (about 36 reads/s per key
 * x 0.15 s, plus the queueing it causes). The gate, `stampede_db_queries < 3`, sits between the two.
 */
export default defineScenario({
  name: "cache-stampede",
  description: "expire the 5 hottest cache keys under a slow origin: the database must see about one query per key",
  compose: "compose.yaml",
  target: { service: "lb", port: 8080 },
  warmup: "8s",
  load: {
    executor: {
      executor: "constant-arrival-rate",
      rate: 200,
      timeUnit: "1s",
      duration: "40s",
      maxVUs: 600,
      gracefulStop: "5s",
    },
    requests: [{ endpoint: "users", method: "GET", path: "/users/{id}", params: { id: hotKeys(10_000, 5, 0.9) } }],
    timeoutMs: 5000,
    connections: 128,
    lateAfterMs: 50,
  },
  conditions: [fault.latency({ link: "db_read", latencyMs: 150, id: "slow-origin" })],
  faults: [
    {
      fault: fault.expireKeys({ service: "cache", pattern: "user:*", count: 5, id: "expire-hot-keys" }),
      when: { steadyFor: "8s", maxErrorRate: 0.01 },
      revert: { after: "8s" },
    },
  ],
  recovery: { watch: "5s" },
  probes: [
    probe.prometheus({
      name: "app",
      targets: [
        { service: "app1", port: 3000 },
        { service: "app2", port: 3000 },
        { service: "app3", port: 3000 },
      ],
      metrics: ["origin_db_queries_total", "cache_hits_total", "cache_misses_total", "circuit_breaker_state"],
    }),
  ],
  thresholds: {
    stampede_db_queries: ["value<3"],
    "http_req_failed{phase:fault}": ["rate<0.01"],
    "http_req_duration{phase:fault}": ["p(99)<2000"],
    "http_req_failed{phase:steady}": ["rate<0.001"],
  },
});
