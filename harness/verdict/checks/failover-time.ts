import type { TimelineEvent } from "../../timeline/types.ts";
import { ParamReader } from "./params.ts";
import { seconds } from "./rate-per-interval.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/** Params of `failover_time`. */
export interface FailoverTimeParams {
  /** Measure from this fault's `fault.inject`. Default: the first fault that hit the leader. */
  faultId?: string;
  /** The `probe` event naming the leader. Default `patroni.leader`. */
  leaderEvent?: string;
}

/**
 * `failover_time` (ms): from the `fault.inject` that hit the leader until the first `probe`
 * event (`patroni.leader`) naming a different leader. A fault hit the leader when its data says
 * `role: "leader"`, its kind mentions the leader (`kill-leader`), or its `target` is the member
 * the probe last named as leader before the inject.
 * No new leader before the end is measured with `atLeast` (the threshold fails).
 * Not measured when no fault hit the leader or the leader probe never reported.
 */
export function failoverTime(params?: Readonly<Record<string, unknown>>): Check {
  const p = new ParamReader("failover_time", params);
  const faultId = p.string("faultId");
  const leaderEvent = p.string("leaderEvent", "patroni.leader");
  p.done();

  return {
    name: "failover_time",
    measure(ctx: CheckContext): CheckResult {
      const events = [...ctx.timeline.events].filter((e) => e.atMs <= ctx.endMs).sort((a, b) => a.atMs - b.atMs);
      const leaders = events.filter((e) => e.kind === "probe" && e.name === leaderEvent);
      const leaderAt = (atMs: number): string | undefined => {
        let current: string | undefined;
        for (const e of leaders) {
          if (e.atMs > atMs) break;
          current = leaderOf(e) ?? current;
        }
        return current;
      };
      const inject = events.find((e) => {
        if (e.kind !== "fault.inject") return false;
        if (faultId !== undefined) return e.name === faultId;
        if (ctx.windows && !ctx.windows.some((w) => e.atMs >= w.fromMs && e.atMs < w.toMs)) return false;
        return hitsLeader(e, leaderAt(e.atMs));
      });
      if (!inject) {
        return {
          measured: false,
          reason: faultId
            ? `fault ${faultId} was never injected`
            : "no fault hit the leader (no fault.inject naming it)",
        };
      }
      if (leaders.length === 0) {
        return { measured: false, reason: `no ${leaderEvent} probe events: is the leader probe running?` };
      }
      const target = typeof inject.data?.target === "string" ? inject.data.target : undefined;
      const old = leaderAt(inject.atMs) ?? (target && target !== "leader" ? target : undefined);
      const change = leaders.find((e) => {
        if (e.atMs < inject.atMs) return false;
        const leader = leaderOf(e);
        if (!leader) return false;
        if (old !== undefined) return leader !== old;
        const previous = typeof e.data?.previous === "string" ? e.data.previous : undefined;
        return previous !== undefined && previous !== leader;
      });
      if (!change) {
        return {
          measured: true,
          value: Math.max(0, ctx.endMs - inject.atMs),
          unit: "ms",
          atLeast: true,
          detail: `no new leader after fault ${inject.name} at ${seconds(inject.atMs)} before the end (${seconds(ctx.endMs)})`,
          data: { faultId: inject.name, injectAtMs: inject.atMs, previousLeader: old },
        };
      }
      const leader = leaderOf(change)!;
      return {
        measured: true,
        value: change.atMs - inject.atMs,
        unit: "ms",
        detail: `leader ${old ?? "?"} -> ${leader} at ${seconds(change.atMs)}, after fault ${inject.name} at ${seconds(inject.atMs)}`,
        data: {
          faultId: inject.name,
          injectAtMs: inject.atMs,
          previousLeader: old,
          newLeader: leader,
          atMs: change.atMs,
        },
      };
    },
  };
}

function leaderOf(e: TimelineEvent): string | undefined {
  const leader = e.data?.leader;
  return typeof leader === "string" && leader !== "" ? leader : undefined;
}

function hitsLeader(e: TimelineEvent, leaderNow: string | undefined): boolean {
  const d = e.data ?? {};
  if (d.role === "leader" || d.target === "leader") return true;
  if (typeof d.kind === "string" && /leader|primary/.test(d.kind)) return true;
  return leaderNow !== undefined && d.target === leaderNow;
}
