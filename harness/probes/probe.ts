import type { Timeline } from "../timeline/index.ts";

/** The part of a started topology probes use; a `StartedTopology` (harness/topology) satisfies it. */
export interface ProbeTopology {
  services(): string[];
  endpoint(service: string, containerPort: number): { host: string; port: number; url(path?: string): string };
  container(service: string): {
    inspect(): Promise<{ status: string; running: boolean; paused: boolean; health?: string; exitCode?: number }>;
  };
}

/** What a probe reads with and writes to. */
export interface ProbeContext {
  timeline: Timeline;
  /** Needed by probes that name services; probes given URLs do without. */
  topology?: ProbeTopology;
}

/**
 * A probe's configuration: it validates itself, describes itself, and opens a sampler. It holds
 * no state; the sampler keeps what it needs between readings (previous counters, the leader).
 */
export interface Probe {
  /** The probe's word, the `probe` tag of `probe_errors` and the prefix of its gauges. */
  readonly name: string;
  /** Sampling interval, ms. Default: the runner's (1000). */
  readonly intervalMs?: number;
  /** Every problem with the options; empty when it can run. */
  validate(): string[];
  /** One line for `harness plan`. */
  describe(): string;
  open(ctx: ProbeContext): Sampler;
}

/** A probe at work: each `sample` reads once and records on the timeline at the moment it read. */
export interface Sampler {
  /** Read and record; throw when the reading failed (the runner counts it in `probe_errors`). */
  sample(signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** The topology, or a clear error for a probe that needs one. */
export function needTopology(ctx: ProbeContext, probe: string): ProbeTopology {
  if (!ctx.topology) throw new Error(`probe ${probe} names services but no topology was given`);
  return ctx.topology;
}

/** Fetch text with a per-request timeout (ms) joined to the runner's signal. */
export async function fetchText(url: string, signal: AbortSignal, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return text;
}

/**
 * Per-second rate of a counter between two readings; a drop is a counter reset (the process
 * restarted), counted from zero as Prometheus's rate() does.
 */
export function counterRate(
  previous: { value: number; atMs: number } | undefined,
  value: number,
  atMs: number,
): number | undefined {
  if (!previous || atMs <= previous.atMs) return undefined;
  const increase = value >= previous.value ? value - previous.value : value;
  return (increase * 1000) / (atMs - previous.atMs);
}
