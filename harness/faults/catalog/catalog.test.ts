import { describe, expect, it } from "vitest";
import { fault } from "./index.ts";

describe("fault catalog", () => {
  it("names each fault <kind>-<target> unless given an id", () => {
    expect(fault.latency({ link: "db_read", latencyMs: 1 }).id).toBe("latency-db_read");
    expect(fault.slowClose({ link: "db", delayMs: 1 }).id).toBe("slow_close-db");
    expect(fault.killLeader({ members: ["db1", "db2"] }).id).toBe("kill-leader-db1,db2");
    expect(fault.kill({ id: "primary-dies", service: "db1" }).id).toBe("primary-dies");
  });

  it("describes each kind in one line with its units", () => {
    expect(fault.latency({ link: "db_read", latencyMs: 3000, jitterMs: 0 }).describe()).toBe(
      "latency toxic on link db_read: latencyMs=3000 jitterMs=0 (downstream, toxicity 1)",
    );
    expect(fault.linkDown({ link: "cache" }).describe()).toBe("link cache down (proxy disabled until reverted)");
    expect(fault.kill({ service: "app1", signal: "SIGTERM" }).describe()).toBe(
      "kill app1 with SIGTERM (started again on revert)",
    );
    expect(fault.stop({ service: "app1" }).describe()).toBe("stop app1 (SIGKILL after 10 s; started again on revert)");
    expect(fault.pause({ service: "cache" }).describe()).toBe("pause cache (unpaused on revert)");
    expect(fault.restart({ service: "app2" }).describe()).toBe("restart app2");
    expect(fault.killLeader({ members: ["db1", "db2", "db3"] }).describe()).toBe(
      "kill the Patroni leader among db1,db2,db3 with SIGKILL (started again on revert, rejoins as a replica)",
    );
    expect(fault.networkDisconnect({ service: "db2", network: "backend" }).describe()).toBe(
      "disconnect db2 from network backend (connected again on revert)",
    );
    expect(fault.expireKeys({ service: "cache", pattern: "product:*", count: 5 }).describe()).toBe(
      "DEL the 5 hottest keys matching product:* on cache",
    );
    expect(fault.expireKeys({ service: "cache", keys: ["a", "b"], mode: "expire", ttlMs: 10 }).describe()).toBe(
      "PEXPIRE 10 ms keys a, b on cache",
    );
  });

  it.each([
    ["kill", () => fault.kill({ service: "", signal: "nine" }), ["service", "signal"]],
    ["stop", () => fault.stop({ service: "x", timeoutS: 1.5 }), ["timeoutS"]],
    ["pause", () => fault.pause({ service: "" }), ["service"]],
    ["restart", () => fault.restart({ id: "bad id!", service: "x" }), ["id"]],
    [
      "killLeader",
      () => fault.killLeader({ members: [], apiPort: 0, apiTimeoutMs: -1 }),
      ["members", "apiPort", "apiTimeoutMs"],
    ],
    ["networkDisconnect", () => fault.networkDisconnect({ service: "x", network: "" }), ["network"]],
    ["bandwidth", () => fault.bandwidth({ link: "x", rateKBps: -1 }), ["rateKBps"]],
    ["limitData", () => fault.limitData({ link: "x", bytes: Number.NaN }), ["bytes"]],
    ["slicer", () => fault.slicer({ link: "x", averageSizeBytes: 0 }), ["averageSizeBytes"]],
  ])("%s lists every problem with its options at once", (_kind, make, options) => {
    expect(
      make()
        .validate()
        .map((p) => p.option),
    ).toEqual(options);
  });

  it("records its options with units in the inject event's params", () => {
    expect(fault.slicer({ link: "x", averageSizeBytes: 8, delayUs: 5 }).params()).toEqual({
      link: "x",
      stream: "downstream",
      toxicity: 1,
      averageSizeBytes: 8,
      sizeVariationBytes: 0,
      delayUs: 5,
    });
    expect(fault.killLeader({ members: ["db1"] }).params()).toEqual({ members: ["db1"], signal: "SIGKILL" });
  });
});
