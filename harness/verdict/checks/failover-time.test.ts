import { describe, expect, it } from "vitest";
import { manualClock, Timeline } from "../../timeline/index.ts";
import { failoverTime } from "./failover-time.ts";

function cluster(events: Array<[number, string, string, Record<string, unknown>]>, endMs = 60_000): Timeline {
  const t = new Timeline({ clock: manualClock() });
  for (const [at, kind, name, data] of events) t.event(kind, name, data, at);
  t.close(endMs);
  return t;
}
const leader = (at: number, name: string, previous?: string): [number, string, string, Record<string, unknown>] => [
  at,
  "probe",
  "patroni.leader",
  previous === undefined ? { leader: name } : { leader: name, previous },
];
const measure = (t: Timeline, params?: Record<string, unknown>) =>
  failoverTime(params).measure({ timeline: t, tags: {}, endMs: t.endMs });

describe("failover_time", () => {
  it("measures from the kill of the current leader to the first probe naming another leader", () => {
    const t = cluster([
      leader(1000, "db1"),
      [20_000, "fault.inject", "kill-primary", { kind: "kill", target: "db1" }],
      leader(24_000, "", "db1"),
      leader(31_200, "db2", "db1"),
    ]);
    const r = measure(t);
    expect(r).toMatchObject({ measured: true, value: 11_200, unit: "ms" });
    if (r.measured) expect(r.detail).toBe("leader db1 -> db2 at 31.2 s, after fault kill-primary at 20.0 s");
  });

  it("recognises a kill by role and skips faults on other members", () => {
    const t = cluster([
      leader(1000, "db1"),
      [5000, "fault.inject", "kill-replica", { kind: "kill", target: "db3" }],
      [20_000, "fault.inject", "kill-leader", { kind: "kill-leader", target: "db1", role: "leader" }],
      leader(29_000, "db3", "db1"),
    ]);
    expect(measure(t)).toMatchObject({ measured: true, value: 9000 });
  });

  it("fails (at least the rest of the run) when no other leader ever appears", () => {
    const t = cluster([
      leader(1000, "db1"),
      [20_000, "fault.inject", "k", { kind: "kill", target: "db1" }],
      leader(25_000, "db1"),
    ]);
    expect(measure(t)).toMatchObject({ measured: true, value: 40_000, atLeast: true });
  });

  it("uses the named fault when faultId is given", () => {
    const t = cluster([
      leader(1000, "db1"),
      [10_000, "fault.inject", "pause-db1", { kind: "pause", target: "db1" }],
      [12_000, "fault.revert", "pause-db1", { kind: "pause", target: "db1", reason: "scheduled" }],
      [30_000, "fault.inject", "kill-db1", { kind: "kill", target: "db1" }],
      leader(38_000, "db2", "db1"),
    ]);
    expect(measure(t)).toMatchObject({ measured: true, value: 28_000 });
    expect(measure(t, { faultId: "kill-db1" })).toMatchObject({ measured: true, value: 8000 });
  });

  it("is not measured without a leader fault or without the leader probe", () => {
    expect(
      measure(cluster([leader(1000, "db1"), [5000, "fault.inject", "lat", { kind: "latency", target: "app1-db" }]])),
    ).toEqual({ measured: false, reason: "no fault hit the leader (no fault.inject naming it)" });
    expect(measure(cluster([[5000, "fault.inject", "k", { kind: "kill", role: "leader" }]]))).toEqual({
      measured: false,
      reason: "no patroni.leader probe events: is the leader probe running?",
    });
  });
});
