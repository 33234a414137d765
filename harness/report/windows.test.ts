import { describe, expect, it } from "vitest";
import { manualClock } from "../timeline/clock.ts";
import { Timeline } from "../timeline/timeline.ts";
import { containerLanes, faultsFromTimeline, leaderSegments, phasesFromTimeline } from "./windows.ts";

function timeline(): Timeline {
  const clock = manualClock();
  const t = new Timeline({ clock });
  t.event("phase", "warmup", {}, 0);
  t.event("phase", "steady", {}, 5_000);
  t.event("phase", "fault", {}, 20_000);
  t.event("fault.inject", "kill-db1", { kind: "kill", target: "db1", signal: "SIGKILL" }, 20_000);
  t.event("fault.inject", "slow-redis", { kind: "latency", target: "redis", latencyMs: 300 }, 21_000);
  t.event("container", "db1", { state: "killed", by: "fault" }, 20_005);
  t.event("probe", "patroni.leader", { leader: null, previous: "db1" }, 22_000);
  t.event("probe", "patroni.leader", { leader: "db2", previous: "" }, 29_000);
  t.event("phase", "recovery", {}, 30_000);
  t.event("fault.revert", "kill-db1", { kind: "kill", target: "db1", reason: "scheduled" }, 35_000);
  t.event("container", "db1", { state: "started", by: "fault" }, 35_010);
  t.close(60_000);
  return t;
}

describe("windows from timeline events", () => {
  it("makes each phase last until the next one or the end of the timeline", () => {
    expect(phasesFromTimeline(timeline().toJSON())).toEqual([
      { name: "warmup", fromMs: 0, toMs: 5_000 },
      { name: "steady", fromMs: 5_000, toMs: 20_000 },
      { name: "fault", fromMs: 20_000, toMs: 30_000 },
      { name: "recovery", fromMs: 30_000, toMs: 60_000 },
    ]);
  });

  it("pairs fault inject and revert by id and leaves an unreverted fault without a revert", () => {
    const faults = faultsFromTimeline(timeline().toJSON());
    expect(faults).toEqual([
      {
        id: "kill-db1",
        kind: "kill",
        target: "db1",
        params: { signal: "SIGKILL" },
        injectAtMs: 20_000,
        revertAtMs: 35_000,
        revertReason: "scheduled",
      },
      { id: "slow-redis", kind: "latency", target: "redis", params: { latencyMs: 300 }, injectAtMs: 21_000 },
    ]);
  });

  it("draws the leader from the first change's previous leader, through no leader, to the new one", () => {
    expect(leaderSegments(timeline().toJSON())).toEqual([
      { fromMs: 0, toMs: 22_000, label: "db1", key: "db1" },
      { fromMs: 22_000, toMs: 29_000, label: "no leader", key: "none" },
      { fromMs: 29_000, toMs: 60_000, label: "db2", key: "db2" },
    ]);
  });

  it("marks a container down from killed until started", () => {
    const [db1] = containerLanes(timeline().toJSON());
    expect(db1!.service).toBe("db1");
    expect(db1!.down).toEqual([{ fromMs: 20_005, toMs: 35_010, label: "killed", key: "killed" }]);
    expect(db1!.markers.map((m) => m.state)).toEqual(["killed", "started"]);
    expect(db1!.markers.map((m) => m.label)).toEqual(["db1 killed (by fault)", "db1 started (by fault)"]);
  });
});
