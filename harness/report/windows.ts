import type { GaugeBucketJSON, TimelineEvent, TimelineJSON } from "../timeline/types.ts";
import type { FaultRevertReason, FaultSummary, PhaseSummary } from "./types.ts";

/** A stretch of the run clock with a label: a leader's term, a container's downtime. */
export interface Segment {
  fromMs: number;
  toMs: number;
  label: string;
  /** Segments with the same key share a colour. */
  key: string;
}

/** A moment worth a marker: a container event, a validity warning. */
export interface Marker {
  atMs: number;
  label: string;
  /** The state word of a container event: `killed`, `started`, ... */
  state?: string;
}

const REVERT_REASONS = new Set(["scheduled", "recovered", "abort", "error", "signal"]);

/** Phase windows from `phase` events: each lasts until the next one or the end of the timeline. */
export function phasesFromTimeline(json: TimelineJSON): PhaseSummary[] {
  const marks = json.events.filter((e) => e.kind === "phase").sort((a, b) => a.atMs - b.atMs);
  return marks.map((e, i) => ({
    name: e.name,
    fromMs: e.atMs,
    toMs: Math.max(e.atMs, marks[i + 1]?.atMs ?? json.endMs),
  }));
}

/** Faults from `fault.inject` / `fault.revert` events, paired by fault id, in inject order. */
export function faultsFromTimeline(json: TimelineJSON): FaultSummary[] {
  const out: FaultSummary[] = [];
  const open = new Map<string, FaultSummary>();
  for (const e of [...json.events].sort((a, b) => a.atMs - b.atMs)) {
    if (e.kind === "fault.inject") {
      const { kind, target, ...params } = e.data ?? {};
      const f: FaultSummary = {
        id: e.name,
        kind: String(kind ?? "fault"),
        target: String(target ?? ""),
        params,
        injectAtMs: e.atMs,
      };
      out.push(f);
      open.set(e.name, f);
    } else if (e.kind === "fault.revert") {
      const f = open.get(e.name);
      if (!f) continue;
      open.delete(e.name);
      f.revertAtMs = e.atMs;
      const reason = String(e.data?.reason ?? "");
      if (REVERT_REASONS.has(reason)) f.revertReason = reason as FaultRevertReason;
    }
  }
  return out;
}

/**
 * The Patroni leader over time, from `probe` / `patroni.leader` events (`{ leader, previous }`).
 * Before the first change the leader is the first event's `previous`, when given. An empty or
 * null leader is a "no leader" segment.
 */
export function leaderSegments(json: TimelineJSON): Segment[] {
  const changes = json.events
    .filter((e) => e.kind === "probe" && e.name === "patroni.leader")
    .sort((a, b) => a.atMs - b.atMs);
  if (changes.length === 0) return [];
  const out: Segment[] = [];
  const first = changes[0]!;
  const previous = first.data?.previous;
  if (typeof previous === "string" && previous !== "" && first.atMs > 0) {
    out.push({ fromMs: 0, toMs: first.atMs, label: previous, key: previous });
  }
  changes.forEach((e, i) => {
    const leader = e.data?.leader;
    const name = typeof leader === "string" && leader !== "" ? leader : "";
    const toMs = changes[i + 1]?.atMs ?? json.endMs;
    out.push({ fromMs: e.atMs, toMs: Math.max(e.atMs, toMs), label: name || "no leader", key: name || "none" });
  });
  return out.filter((s) => s.toMs > s.fromMs || s === out[out.length - 1]);
}

const DOWN_STATES = new Set(["killed", "stopped", "paused", "disconnected"]);
const UP_STATES = new Set(["started", "unpaused", "restarted", "connected", "running"]);

/** Per service: the container events, and the stretches it was down (killed / stopped / paused until back). */
export function containerLanes(json: TimelineJSON): Array<{ service: string; down: Segment[]; markers: Marker[] }> {
  const byService = new Map<string, TimelineEvent[]>();
  for (const e of json.events) {
    if (e.kind !== "container") continue;
    const list = byService.get(e.name) ?? [];
    list.push(e);
    byService.set(e.name, list);
  }
  const lanes: Array<{ service: string; down: Segment[]; markers: Marker[] }> = [];
  for (const [service, events] of [...byService.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    events.sort((a, b) => a.atMs - b.atMs);
    const down: Segment[] = [];
    const markers: Marker[] = [];
    let downSince: { atMs: number; state: string } | undefined;
    for (const e of events) {
      const state = String(e.data?.state ?? "");
      const by = e.data?.by ? ` (by ${String(e.data.by)})` : "";
      markers.push({ atMs: e.atMs, label: `${service} ${state}${by}`, state });
      if (DOWN_STATES.has(state) && !downSince) downSince = { atMs: e.atMs, state };
      else if (UP_STATES.has(state) && downSince) {
        down.push({ fromMs: downSince.atMs, toMs: e.atMs, label: downSince.state, key: downSince.state });
        downSince = undefined;
      }
    }
    if (downSince) {
      down.push({ fromMs: downSince.atMs, toMs: json.endMs, label: downSince.state, key: downSince.state });
    }
    lanes.push({ service, down, markers });
  }
  return lanes;
}

/** One gauge series as points (bucket start, last value), for probe charts. */
export interface GaugeLine {
  metric: string;
  tags: Record<string, string>;
  points: Array<{ tMs: number; value: number; min: number; max: number }>;
}

/** Every series of a gauge metric, as points in time order. */
export function gaugeLines(json: TimelineJSON, metric: string): GaugeLine[] {
  if (json.metrics[metric]?.type !== "gauge") return [];
  return json.series
    .filter((s) => s.metric === metric)
    .map((s) => ({
      metric,
      tags: s.tags,
      points: (s.buckets as GaugeBucketJSON[])
        .map((b) => ({ tMs: b.t, value: b.last, min: b.min, max: b.max }))
        .sort((a, b) => a.tMs - b.tMs),
    }))
    .filter((l) => l.points.length > 0)
    .sort((a, b) => tagText(a.tags).localeCompare(tagText(b.tags)));
}

/** `{app:app1,dependency:db}` style text of a tag set (empty string for none). */
export function tagText(tags: Record<string, string>): string {
  const keys = Object.keys(tags).sort();
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}:${tags[k]}`).join(",")}}`;
}

/** Sum of a counter metric over the whole run (0 when never recorded). */
export function counterTotal(json: TimelineJSON, metric: string): number {
  let total = 0;
  for (const s of json.series) {
    if (s.metric !== metric) continue;
    for (const b of s.buckets) total += (b as { sum?: number }).sum ?? 0;
  }
  return total;
}
