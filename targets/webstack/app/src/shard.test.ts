import { describe, expect, it } from "vitest";
import { seedIdsOf, shardOf } from "./shard.ts";

describe("shardOf", () => {
  it("routes an id to the same shard every time", () => {
    expect(shardOf(12345, 2)).toBe(shardOf(12345, 2));
  });

  it("splits sequential ids about evenly over two shards", () => {
    let first = 0;
    for (let id = 1; id <= 10_000; id++) if (shardOf(id, 2) === 0) first++;
    expect(first).toBeGreaterThan(4500);
    expect(first).toBeLessThan(5500);
  });

  it("seeds exactly perShard ids per shard, each routed to that shard", () => {
    const a = seedIdsOf(0, 2, 1000);
    const b = seedIdsOf(1, 2, 1000);
    expect(a).toHaveLength(1000);
    expect(b).toHaveLength(1000);
    expect(a.every((id) => shardOf(id, 2) === 0) && b.every((id) => shardOf(id, 2) === 1)).toBe(true);
    expect(new Set([...a, ...b]).size).toBe(2000);
  });
});
