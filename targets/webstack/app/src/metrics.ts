import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The app's Prometheus registry and every metric it exports on GET /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Requests by route pattern (e.g. `/users/:id`), method and status code. */
export const httpRequests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests by route, method and status",
  labelNames: ["route", "method", "status"] as const,
  registers: [registry],
});

/** Request latency in seconds, by route pattern and method. */
export const httpDuration = new Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request latency in seconds",
  labelNames: ["route", "method"] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Cache reads that found a fresh value. */
export const cacheHits = new Counter({
  name: "cache_hits_total",
  help: "Cache reads that found a fresh value",
  labelNames: ["cache"] as const,
  registers: [registry],
});

/** Cache reads that found nothing fresh. */
export const cacheMisses = new Counter({
  name: "cache_misses_total",
  help: "Cache reads that found nothing fresh",
  labelNames: ["cache"] as const,
  registers: [registry],
});

/** Stale values served because the origin was unavailable. */
export const cacheStaleServed = new Counter({
  name: "cache_stale_served_total",
  help: "Stale cached values served because the origin was unavailable",
  labelNames: ["cache"] as const,
  registers: [registry],
});

/** Early (probabilistic) refreshes started before a cached value expired. */
export const cacheEarlyRefreshes = new Counter({
  name: "cache_early_refreshes_total",
  help: "Probabilistic early refreshes started before expiry",
  labelNames: ["cache"] as const,
  registers: [registry],
});

/**
 * Queries sent to the origin database, by query name and key: hot keys (user ids up to
 * HOT_KEYS) are labelled `user:<id>`, every other key `cold`, so cardinality stays bounded.
 */
export const originQueries = new Counter({
  name: "origin_db_queries_total",
  help: "Queries sent to the origin database, by query name and key (hot keys by id, others 'cold')",
  labelNames: ["query", "key"] as const,
  registers: [registry],
});

/** Breaker state per dependency: 0 closed, 1 half-open, 2 open. */
export const breakerState = new Gauge({
  name: "circuit_breaker_state",
  help: "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open",
  labelNames: ["dependency"] as const,
  registers: [registry],
});

/** Breaker transitions per dependency and target state. */
export const breakerTransitions = new Counter({
  name: "circuit_breaker_transitions_total",
  help: "Circuit breaker transitions per dependency and target state",
  labelNames: ["dependency", "to"] as const,
  registers: [registry],
});

/** Dependency calls by outcome (ok, error, timeout, rejected by an open breaker). */
export const dependencyCalls = new Counter({
  name: "dependency_calls_total",
  help: "Dependency calls by dependency and outcome (ok, error, timeout, rejected)",
  labelNames: ["dependency", "outcome"] as const,
  registers: [registry],
});

/** Requests answered 429 by the rate limiter. */
export const rateLimited = new Counter({
  name: "rate_limited_total",
  help: "Requests refused with 429 by the token-bucket rate limiter",
  registers: [registry],
});

/** Order events processed, retried and dead-lettered by this instance's consumer. */
export const queueEvents = new Counter({
  name: "queue_events_total",
  help: "Order events by outcome: published, publish_failed, processed, retried, dead_lettered",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

/** Orders written and replayed (idempotency key seen before). */
export const ordersWritten = new Counter({
  name: "orders_total",
  help: "POST /orders outcomes: created, replayed",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

/** Ids at or below this are "hot" in the per-key origin query metric. */
export const HOT_KEYS = 100;

/** The `key` label of origin_db_queries_total for a user id. */
export function keyLabel(prefix: string, id: number): string {
  return id <= HOT_KEYS ? `${prefix}:${id}` : "cold";
}
