import { describe, expect, it } from "vitest";
import { HarnessError } from "../errors.ts";
import { manualClock, Timeline } from "../timeline/index.ts";
import { type Applied, BaseFault, type FaultContext } from "./fault.ts";
import { FaultSchedule, type ScheduledFault } from "./schedule.ts";

/** A fault that only writes down what happened to it. */
class FakeFault extends BaseFault {
  readonly kind = "fake";
  readonly target: string;
  readonly log: string[];
  failInject = false;
  failRevert = 0;
  injectDelay?: () => Promise<void>;

  constructor(target: string, log: string[]) {
    super(undefined);
    this.target = target;
    this.log = log;
  }
  protected check(): void {}
  describe(): string {
    return `fake on ${this.target}`;
  }
  params(): Record<string, unknown> {
    return {};
  }
  protected async apply(): Promise<Applied> {
    if (this.injectDelay) await this.injectDelay();
    if (this.failInject) throw new Error("boom");
    this.log.push(`inject ${this.target}`);
    return {
      heal: async () => {
        if (this.failRevert > 0) {
          this.failRevert--;
          throw new Error("heal failed");
        }
        this.log.push(`revert ${this.target}`);
      },
    };
  }
}

function setup(intervalMs = 1000) {
  const clock = manualClock();
  const timeline = new Timeline({ clock, intervalMs });
  const ctx: FaultContext = {
    topology: { endpoint: () => ({ host: "127.0.0.1", port: 1, url: () => "" }), container: () => undefined as never },
    toxiproxyUrl: "http://127.0.0.1:1",
    timeline,
  };
  // The loop's sleep moves the manual clock: the schedule's time is a parameter.
  const sleep = async (ms: number) => {
    clock.advance(ms);
  };
  return { clock, timeline, ctx, sleep, log: [] as string[] };
}

/** Requests on the timeline: `perS` per second from `fromMs` to `toMs`, `failing` of them failed. */
function traffic(t: Timeline, fromMs: number, toMs: number, perS: number, failing: (atMs: number) => boolean) {
  const s = t.series("http_req_failed", "rate", { endpoint: "orders" });
  for (let at = fromMs; at < toMs; at += 1000 / perS) s.rate(failing(at), at);
}

function events(t: Timeline, kind: string) {
  return t.events.filter((e) => e.kind === kind).map((e) => ({ atMs: e.atMs, name: e.name, data: e.data }));
}

describe("FaultSchedule", () => {
  it("injects at the run-clock time and reverts after the duration", async () => {
    const { ctx, sleep, log, timeline, clock } = setup();
    const f = new FakeFault("a", log);
    const schedule = new FaultSchedule([{ fault: f, at: "5s", revert: { after: "3s" } }], { sleep, tickMs: 100 });
    const states = await schedule.run(ctx, { untilMs: 20_000 });
    expect(log).toEqual(["inject a", "revert a"]);
    expect(states[0]!.state).toBe("reverted");
    const inj = events(timeline, "fault.inject");
    const rev = events(timeline, "fault.revert");
    expect(inj).toEqual([{ atMs: 5000, name: "fake-a", data: { kind: "fake", target: "a" } }]);
    expect(rev).toEqual([{ atMs: 8000, name: "fake-a", data: { kind: "fake", target: "a", reason: "scheduled" } }]);
    // Nothing left to do: the loop ended as soon as the revert was done.
    expect(clock.nowMs()).toBe(8000);
  });

  it("waits for steady state: the error rate stayed under the limit for the whole stretch", async () => {
    const { ctx, sleep, log, timeline, clock } = setup();
    // Errors until 10 s, clean after: steady for 5 s is reached at 15 s.
    traffic(timeline, 0, 60_000, 20, (at) => at < 10_000 && at % 500 === 0);
    const f = new FakeFault("db", log);
    const schedule = new FaultSchedule(
      [{ fault: f, when: { steadyFor: "5s", maxErrorRate: 0.01 }, revert: { after: "1s" } }],
      { sleep, tickMs: 250, clock },
    );
    await schedule.run(ctx, { untilMs: 60_000 });
    const inj = events(timeline, "fault.inject");
    expect(inj).toHaveLength(1);
    expect(inj[0]!.atMs).toBe(15_000);
  });

  it("does not take silence for steady state", async () => {
    const { ctx, sleep, log, timeline } = setup();
    traffic(timeline, 0, 3000, 10, () => false);
    const schedule = new FaultSchedule(
      [{ fault: new FakeFault("db", log), when: { steadyFor: "5s" }, notAfter: "20s" }],
      { sleep },
    );
    const states = await schedule.run(ctx, { untilMs: 60_000 });
    expect(log).toEqual([]);
    expect(states[0]!.state).toBe("skipped");
    const v = events(timeline, "validity");
    expect(v).toHaveLength(1);
    expect(v[0]!.atMs).toBe(20_000);
    expect(v[0]!.name).toBe("fault_condition_not_met");
  });

  it("reverts when recovered: the error rate since the inject is back under the limit", async () => {
    const { ctx, sleep, log, timeline } = setup();
    // Errors from 10 s to 17 s (the fault's effect), clean otherwise.
    traffic(timeline, 0, 60_000, 10, (at) => at >= 10_000 && at < 17_000);
    const schedule = new FaultSchedule(
      [
        {
          fault: new FakeFault("db", log),
          at: "10s",
          revert: { whenRecovered: { healthyFor: "5s", maxErrorRate: 0.05, atMost: "40s" } },
        },
      ],
      { sleep, tickMs: 250 },
    );
    await schedule.run(ctx, { untilMs: 60_000 });
    const rev = events(timeline, "fault.revert");
    expect(rev).toHaveLength(1);
    // Clean intervals 17..22 s are complete at 22 s.
    expect(rev[0]!.atMs).toBe(22_000);
    expect(rev[0]!.data).toMatchObject({ reason: "recovered" });
  });

  it("reverts at the maximum when the system never recovers", async () => {
    const { ctx, sleep, log, timeline } = setup();
    traffic(timeline, 0, 60_000, 10, (at) => at >= 10_000);
    const schedule = new FaultSchedule(
      [{ fault: new FakeFault("db", log), at: "10s", revert: { whenRecovered: { healthyFor: "5s", atMost: "12s" } } }],
      { sleep },
    );
    await schedule.run(ctx, { untilMs: 60_000 });
    const rev = events(timeline, "fault.revert");
    expect(rev.map((e) => [e.atMs, e.data?.reason])).toEqual([[22_000, "scheduled"]]);
  });

  it("revertAll reverts every injected fault newest first, once, and injects nothing after", async () => {
    const { ctx, sleep, log, timeline } = setup();
    const entries: ScheduledFault[] = [
      { fault: new FakeFault("a", log), at: "1s" },
      { fault: new FakeFault("b", log), at: "2s" },
      { fault: new FakeFault("c", log), at: "3s" },
      { fault: new FakeFault("late", log), at: "50s" },
    ];
    const schedule = new FaultSchedule(entries, { sleep });
    await schedule.run(ctx, { untilMs: 10_000 });
    expect(log).toEqual(["inject a", "inject b", "inject c"]);
    await schedule.revertAll("signal");
    await schedule.revertAll("abort");
    expect(log).toEqual(["inject a", "inject b", "inject c", "revert c", "revert b", "revert a"]);
    expect(events(timeline, "fault.revert").map((e) => e.data?.reason)).toEqual(["signal", "signal", "signal"]);
    expect(schedule.states().map((s) => s.state)).toEqual(["reverted", "reverted", "reverted", "skipped"]);
    // A later run injects nothing.
    await schedule.run(ctx, { untilMs: 100_000 });
    expect(log).toHaveLength(6);
  });

  it("reverts a fault whose inject was in flight when revertAll was called", async () => {
    const { ctx, log } = setup();
    const f = new FakeFault("slow", log);
    let release!: () => void;
    let started!: () => void;
    const injecting = new Promise<void>((r) => {
      started = r;
    });
    f.injectDelay = () => {
      started();
      return new Promise<void>((r) => {
        release = r;
      });
    };
    const schedule = new FaultSchedule([{ fault: f, at: 0 }], { sleep: async () => {} });
    const running = schedule.run(ctx, { untilMs: 1000 });
    await injecting;
    const reverting = schedule.revertAll("signal");
    release();
    await Promise.all([running, reverting]);
    expect(log).toEqual(["inject slow", "revert slow"]);
  });

  it("tries every revert even when one fails, then reports the failures together", async () => {
    const { ctx, sleep, log } = setup();
    const bad = new FakeFault("bad", log);
    bad.failRevert = 1;
    const schedule = new FaultSchedule(
      [
        { fault: new FakeFault("a", log), at: 0 },
        { fault: bad, at: 0 },
      ],
      { sleep },
    );
    await schedule.run(ctx, { untilMs: 1000 });
    const err = await schedule.revertAll("error").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe("HARNESS_FAULT_FAILED");
    expect(log).toEqual(["inject a", "inject bad", "revert a"]);
    // The failed revert may be retried, and then succeeds.
    await schedule.revertAll("error");
    expect(log).toEqual(["inject a", "inject bad", "revert a", "revert bad"]);
  });

  it("rejects when an inject fails, keeping the earlier faults for revertAll", async () => {
    const { ctx, sleep, log } = setup();
    const bad = new FakeFault("bad", log);
    bad.failInject = true;
    const schedule = new FaultSchedule(
      [
        { fault: new FakeFault("a", log), at: "1s" },
        { fault: bad, at: "2s" },
      ],
      { sleep },
    );
    await expect(schedule.run(ctx, { untilMs: 10_000 })).rejects.toMatchObject({ code: "HARNESS_FAULT_FAILED" });
    await schedule.revertAll("error");
    expect(log).toEqual(["inject a", "revert a"]);
    expect(schedule.states().map((s) => s.state)).toEqual(["reverted", "failed"]);
  });

  it("stops at the abort signal and leaves the reverts to revertAll", async () => {
    const { ctx, log, clock } = setup();
    const ac = new AbortController();
    const sleep = async (ms: number) => {
      clock.advance(ms);
      if (clock.nowMs() >= 4000) ac.abort();
    };
    const schedule = new FaultSchedule(
      [
        { fault: new FakeFault("a", log), at: "1s", revert: { after: "30s" } },
        { fault: new FakeFault("b", log), at: "10s" },
      ],
      { sleep },
    );
    await schedule.run({ ...ctx, signal: ac.signal }, { untilMs: 60_000 });
    expect(log).toEqual(["inject a"]);
    await schedule.revertAll("signal");
    expect(log).toEqual(["inject a", "revert a"]);
  });

  it("ends at untilMs even when a condition never holds (bounded loop)", async () => {
    const { ctx, sleep, log, clock } = setup();
    const schedule = new FaultSchedule([{ fault: new FakeFault("a", log), when: () => false }], { sleep });
    const states = await schedule.run(ctx, { untilMs: 30_000 });
    expect(clock.nowMs()).toBe(30_000);
    expect(states[0]!.state).toBe("skipped");
  });

  it("lists every schedule problem at once", () => {
    const log: string[] = [];
    const schedule = new FaultSchedule([
      { fault: new FakeFault("a", log), at: "soon", revert: { after: "-1s" } },
      { fault: new FakeFault("b", log) },
      {
        fault: new FakeFault("b", log),
        when: { steadyFor: "5s", maxErrorRate: 2 },
        revert: { whenRecovered: { healthyFor: "10s", atMost: "5s" } },
      },
    ]);
    const problems = schedule.validate().map((p) => `${p.fault}.${p.option}`);
    expect(problems).toEqual([
      "fake-a.at",
      "fake-a.revert.after",
      "fake-b.at",
      "fake-b.id",
      "fake-b.when.maxErrorRate",
      "fake-b.revert.whenRecovered.atMost",
    ]);
  });

  it("describes its plan in words with units", () => {
    const log: string[] = [];
    const schedule = new FaultSchedule([
      {
        fault: new FakeFault("db", log),
        when: { steadyFor: "20s", maxErrorRate: 0.001 },
        revert: { whenRecovered: { healthyFor: "10s", atMost: "1m" } },
      },
    ]);
    const [p] = schedule.plan();
    expect(p).toMatchObject({ id: "fake-db", kind: "fake", what: "fake on db" });
    expect(p!.start).toBe("when http_req_failed stayed under 0.001 per interval for 20s");
    expect(p!.revert).toBe("when http_req_failed stayed under 0.01 for 10s, at most 1m after inject");
  });
});
