import type { Series, Timeline } from "../timeline/index.ts";
import type { Outcome } from "./http/client.ts";
import type { CompiledTemplate } from "./http/template.ts";

interface RequestSeries {
  reqs: Series;
  duration: Series;
  failed: Series;
  received: Series;
  sent: Series;
}

/**
 * Writes request outcomes onto the timeline under the k6 metric names (timeline conventions).
 * Samples sit at the request's intended time, so a stall shows in the interval it hit.
 * Series are looked up once per (template, status, error) and then reused: no key per sample.
 */
export class Recorder {
  readonly #timeline: Timeline;
  readonly #scenario: string | undefined;
  readonly #byKey = new Map<string, RequestSeries>();
  readonly #checks = new Map<string, Series>();
  readonly iterations: Series;
  readonly late: Series;
  readonly dropped: Series;
  readonly lag: Series;
  readonly cpu: Series;
  readonly inFlight: Series;

  constructor(timeline: Timeline, scenario?: string) {
    this.#timeline = timeline;
    this.#scenario = scenario;
    const base: Record<string, string> = scenario === undefined ? {} : { scenario };
    timeline.define("http_reqs", "counter");
    timeline.define("http_req_duration", "trend", "ms");
    timeline.define("http_req_failed", "rate");
    timeline.define("checks", "rate");
    timeline.define("data_received", "counter", "bytes");
    timeline.define("data_sent", "counter", "bytes");
    this.iterations = timeline.series("iterations", "counter", base);
    this.late = timeline.series("generator_late", "counter", base);
    this.dropped = timeline.series("generator_dropped", "counter", base);
    this.lag = timeline.series("generator_event_loop_lag", "gauge", base, "ms");
    this.cpu = timeline.series("generator_cpu", "gauge", base);
    this.inFlight = timeline.series("generator_in_flight", "gauge", base);
  }

  #series(t: CompiledTemplate, status: number, error: string | undefined): RequestSeries {
    const key = `${t.index}|${status}|${error ?? ""}`;
    let s = this.#byKey.get(key);
    if (!s) {
      const tags: Record<string, string> = { endpoint: t.endpoint, method: t.method, status: String(status) };
      if (error !== undefined) tags.error = error;
      if (this.#scenario !== undefined) tags.scenario = this.#scenario;
      const tl = this.#timeline;
      s = {
        reqs: tl.series("http_reqs", "counter", tags),
        duration: tl.series("http_req_duration", "trend", tags, "ms"),
        failed: tl.series("http_req_failed", "rate", tags),
        received: tl.series("data_received", "counter", tags, "bytes"),
        sent: tl.series("data_sent", "counter", tags, "bytes"),
      };
      this.#byKey.set(key, s);
    }
    return s;
  }

  #check(t: CompiledTemplate, name: string): Series {
    const key = `${t.index}|${name}`;
    let s = this.#checks.get(key);
    if (!s) {
      const tags: Record<string, string> = { endpoint: t.endpoint, check: name };
      if (this.#scenario !== undefined) tags.scenario = this.#scenario;
      s = this.#timeline.series("checks", "rate", tags);
      this.#checks.set(key, s);
    }
    return s;
  }

  /** Record one outcome; returns whether it counts as failed (k6's http_req_failed). */
  record(o: Outcome): boolean {
    const t = o.template;
    const at = o.intendedMs;
    const s = this.#series(t, o.status, o.error);
    const failed = o.status === 0 || !t.isExpected(o.status);
    s.reqs.count(1, at);
    s.duration.trend(o.endMs - o.intendedMs, at);
    s.failed.rate(failed, at);
    if (o.bytesIn > 0) s.received.count(o.bytesIn, at);
    s.sent.count(o.bytesOut, at);
    this.iterations.count(1, at);
    const checks = t.checks;
    if (checks) {
      if (checks.status !== undefined) this.#check(t, "status").rate(o.status !== 0 && t.statusCheck(o.status), at);
      if (checks.bodyIncludes !== undefined) {
        this.#check(t, "body").rate(o.body?.includes(checks.bodyIncludes) === true, at);
      }
      if (checks.body !== undefined)
        this.#check(t, "body").rate(o.body !== undefined && safely(checks.body, o.body), at);
    }
    return failed;
  }
}

/** A user predicate that throws counts as a failed check, not a crashed run. */
function safely(predicate: (text: string) => boolean, text: string): boolean {
  try {
    return predicate(text) === true;
  } catch {
    return false;
  }
}
