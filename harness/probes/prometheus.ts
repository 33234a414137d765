import type { Series, Tags } from "../timeline/index.ts";
import { counterRate, fetchText, needTopology, type Probe, type ProbeContext, type Sampler } from "./probe.ts";
import { type PromSample, parsePrometheusText } from "./prometheus-text.ts";

/** A scrape target: a service's container port (published on 127.0.0.1), or a URL with a label. */
export type PrometheusTarget = { service: string; port: number; path?: string } | { url: string; label: string };

export interface PrometheusOptions {
  /** Probe word and gauge prefix, e.g. `app` gives `app_breaker_state{app:app1,...}`. Default `prom`. */
  name?: string;
  targets: PrometheusTarget[];
  /** Sample or family names to keep (a RegExp matches either). Everything else is dropped. */
  metrics: Array<string | RegExp>;
  /** Tag naming the target on every gauge. Default: the probe name. */
  targetTag?: string;
  /** Also record counters as `<gauge>_per_s` rates between scrapes. Default true. */
  counterRates?: boolean;
  /** Series kept per target at most (the rest are dropped and counted as an error). Default 1000. */
  maxSeries?: number;
  /** Scrape timeout, ms. Default 2000. */
  timeoutMs?: number;
  /** Scrape interval, ms. Default: the runner's. */
  intervalMs?: number;
}

/**
 * Scrape Prometheus text from each target and record the chosen metrics as gauges named
 * `<name>_<metric>` with the sample's labels plus `{<targetTag>: <service or label>}`.
 */
export class PrometheusProbe implements Probe {
  readonly name: string;
  readonly intervalMs: number | undefined;
  constructor(readonly options: PrometheusOptions) {
    this.name = options.name ?? "prom";
    this.intervalMs = options.intervalMs;
  }

  validate(): string[] {
    const p: string[] = [];
    const o = this.options;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(this.name)) p.push(`name "${this.name}" must be a metric-name word`);
    if (!Array.isArray(o.targets) || o.targets.length === 0) p.push("targets must list at least one target");
    for (const t of o.targets ?? []) {
      if ("url" in t) {
        if (!/^https?:\/\//.test(t.url)) p.push(`target url "${t.url}" must be http(s)`);
        if (!t.label) p.push(`target ${t.url} needs a label`);
      } else if (!t.service || !Number.isInteger(t.port) || t.port < 1) p.push("a target needs a service and a port");
    }
    if (!Array.isArray(o.metrics) || o.metrics.length === 0) p.push("metrics must name at least one metric");
    if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) p.push("timeoutMs must be positive");
    if (o.maxSeries !== undefined && !(Number.isInteger(o.maxSeries) && o.maxSeries > 0))
      p.push("maxSeries must be a positive integer");
    return p;
  }

  describe(): string {
    const targets = this.options.targets.map((t) =>
      "url" in t ? t.label : `${t.service}:${t.port}${t.path ?? "/metrics"}`,
    );
    return `scrape ${targets.join(", ")} for ${this.options.metrics.map(String).join(", ")}`;
  }

  /** Whether a sample is one of the chosen metrics. */
  wants(s: Pick<PromSample, "name" | "family">): boolean {
    return this.options.metrics.some((m) =>
      typeof m === "string" ? m === s.name || m === s.family : m.test(s.name) || m.test(s.family),
    );
  }

  /** The gauge name for a sample name. */
  gaugeName(sample: string): string {
    return sample.startsWith(`${this.name}_`) ? sample : `${this.name}_${sample}`;
  }

  open(ctx: ProbeContext): Sampler {
    // Resolved at each reading: a restarted container may get a new ephemeral host port.
    const targets = this.options.targets.map((t) => {
      if ("url" in t) return { url: () => t.url, label: t.label };
      const topology = needTopology(ctx, this.name);
      return { url: () => topology.endpoint(t.service, t.port).url(t.path ?? "/metrics"), label: t.service };
    });
    const tag = this.options.targetTag ?? this.name;
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const maxSeries = this.options.maxSeries ?? 1000;
    const rates = this.options.counterRates !== false;
    const timeline = ctx.timeline;
    const previous = new Map<string, { value: number; atMs: number }>();
    const series = new Map<string, Series>();
    const gauge = (name: string, tags: Tags): Series => {
      const key = `${name}\u0000${JSON.stringify(tags)}`;
      let s = series.get(key);
      if (!s) {
        s = timeline.series(name, "gauge", tags);
        series.set(key, s);
      }
      return s;
    };
    const record = (label: string, s: PromSample, atMs: number): void => {
      if (!Number.isFinite(s.value)) return;
      const tags: Tags = { ...s.labels, [tag]: label };
      const name = this.gaugeName(s.name);
      gauge(name, tags).gauge(s.value, atMs);
      const isCounter = s.type === "counter" || (s.type === "untyped" && s.name.endsWith("_total"));
      if (rates && isCounter) {
        const key = `${name}\u0000${JSON.stringify(tags)}`;
        const r = counterRate(previous.get(key), s.value, atMs);
        previous.set(key, { value: s.value, atMs });
        if (r !== undefined) gauge(`${name}_per_s`, tags).gauge(r, atMs);
      }
    };
    return {
      sample: async (signal) => {
        const failures: string[] = [];
        await Promise.all(
          targets.map(async (t) => {
            try {
              const text = await fetchText(t.url(), signal, timeoutMs);
              const atMs = timeline.clock.nowMs();
              const chosen = parsePrometheusText(text).samples.filter((s) => this.wants(s));
              if (chosen.length > maxSeries)
                failures.push(`${t.label}: ${chosen.length} series, kept the first ${maxSeries}`);
              for (const s of chosen.slice(0, maxSeries)) record(t.label, s, atMs);
            } catch (cause) {
              failures.push(`${t.label}: ${cause instanceof Error ? cause.message : String(cause)}`);
            }
          }),
        );
        if (failures.length > 0) throw new Error(failures.join("; "));
      },
    };
  }
}

/** Scrape `/metrics` of services (or URLs) and keep the chosen metrics as gauges. */
export function prometheus(o: PrometheusOptions): PrometheusProbe {
  return new PrometheusProbe(o);
}
