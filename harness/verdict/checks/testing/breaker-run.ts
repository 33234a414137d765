import { manualClock, Timeline } from "../../../timeline/index.ts";

/** How the simulated webstack app behaves when its shard1 link slows past the dependency timeout. */
export interface BreakerRunOptions {
  /** Run-clock ms of the latency fault's inject on link shard1. Default 10_300; undefined: no fault. */
  injectAtMs?: number | undefined;
  /** Run-clock ms of its revert. Default 22_500; undefined: never reverted. */
  revertAtMs?: number | undefined;
  /** When the breakers open (ms); undefined: never (CIRCUIT_BREAKER=off). Default 11_400. */
  openAtMs?: number | undefined;
  /** Ms a request refused by an open breaker takes. Default 3. */
  failFastMs?: number;
  /** Ms a request that waited for the dependency timeout takes. Default 1003. */
  timeoutMs?: number;
  /** Half-open trials (each a slow failure) at these ms. Default none. */
  trialsAtMs?: number[];
  /** Scrape the breaker metrics (both gauge and transitions counter). Default true. */
  scraped?: boolean;
  /** End of the run, ms. Default 30_000. */
  endMs?: number;
}

/**
 * A run of 100 requests/s on /accounts/:id (every other one on shard1), three apps scraped every
 * second as the prometheus probe `app` records them, on a manual clock.
 */
export function breakerRun(o: BreakerRunOptions = {}): Timeline {
  const has = (k: keyof BreakerRunOptions) => Object.hasOwn(o, k);
  const injectAtMs = has("injectAtMs") ? o.injectAtMs : 10_300;
  const revertAtMs = has("revertAtMs") ? o.revertAtMs : 22_500;
  const openAtMs = has("openAtMs") ? o.openAtMs : 11_400;
  const failFastMs = o.failFastMs ?? 3;
  const timeoutMs = o.timeoutMs ?? 1003;
  const trials = new Set(o.trialsAtMs ?? []);
  const endMs = o.endMs ?? 30_000;
  const t = new Timeline({ clock: manualClock(), intervalMs: 1000 });
  t.define("http_req_duration", "trend", "ms");
  t.define("http_req_failed", "rate");
  const series = (status: number) => {
    const tags = { endpoint: "accounts", method: "GET", status: String(status) };
    return {
      duration: t.series("http_req_duration", "trend", tags, "ms"),
      failed: t.series("http_req_failed", "rate", tags),
    };
  };
  const ok = series(200);
  const unavailable = series(503);
  const faulted = (ms: number) =>
    injectAtMs !== undefined && ms >= injectAtMs && (revertAtMs === undefined || ms < revertAtMs);
  const open = (ms: number) => openAtMs !== undefined && faulted(ms) && ms >= openAtMs;
  for (let ms = 0; ms < endMs; ms += 10) {
    const onShard1 = ms % 20 === 0;
    if (!onShard1 || !faulted(ms)) {
      ok.duration.trend(4, ms);
      ok.failed.rate(false, ms);
    } else {
      unavailable.duration.trend(open(ms) && !trials.has(ms) ? failFastMs : timeoutMs, ms);
      unavailable.failed.rate(true, ms);
    }
  }
  if (injectAtMs !== undefined) {
    t.event(
      "fault.inject",
      "latency-shard1",
      { kind: "latency", target: "shard1", link: "shard1", latencyMs: 3000 },
      injectAtMs,
    );
  }
  if (injectAtMs !== undefined && revertAtMs !== undefined) {
    t.event("fault.revert", "latency-shard1", { kind: "latency", target: "shard1", reason: "scheduled" }, revertAtMs);
  }
  if (o.scraped !== false) {
    for (const app of ["app1", "app2", "app3"]) {
      for (let ms = 500; ms < endMs; ms += 1000) {
        for (const dependency of ["shard1", "shard2"]) {
          const isOpen = dependency === "shard1" && open(ms);
          t.series("app_circuit_breaker_state", "gauge", { dependency, app }).gauge(isOpen ? 2 : 0, ms);
          if (isOpen) {
            t.series("app_circuit_breaker_transitions_total", "gauge", { dependency, to: "open", app }).gauge(1, ms);
          }
        }
      }
    }
  }
  t.close(endMs);
  return t;
}
