import { describe, expect, it } from "vitest";
import { hotKeys, sampler, sequential, uniform, zipf, zipfProbability } from "./distribution.ts";
import { seededRandom } from "./random.ts";
import { compileTemplate, weightedPicker } from "./template.ts";

describe("distributions", () => {
  it("draw zipf keys in proportion to 1/k^s", () => {
    const draw = sampler(zipf(50, 1.2), seededRandom(3));
    const counts = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      const k = draw() as number;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const k of [1, 2, 3, 10, 50]) {
      const p = zipfProbability(50, 1.2, k);
      expect(Math.abs((counts.get(k) ?? 0) / 50_000 - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / 50_000) + 1e-4);
    }
  });

  it("give hot keys their share, uniform its range, sequential its order", () => {
    const hot = sampler(hotKeys(1000, 10, 0.9), seededRandom(1));
    let inHot = 0;
    for (let i = 0; i < 10_000; i++) if ((hot() as number) <= 10) inHot++;
    expect(inHot / 10_000).toBeCloseTo(0.9, 1);
    const u = sampler(uniform(5, 7), seededRandom(1));
    const seen = new Set(Array.from({ length: 200 }, () => u()));
    expect([...seen].sort()).toEqual([5, 6, 7]);
    const s = sampler(sequential(10, 5), seededRandom(1));
    expect([s(), s(), s()]).toEqual([10, 15, 20]);
  });
});

describe("request templates", () => {
  it("fill path and JSON body placeholders, escaping each for its place", () => {
    const t = compileTemplate(
      {
        method: "POST",
        path: "/users/{name}?x=1",
        params: { name: { kind: "list", values: ['a b"c'], order: "cycle" } },
        json: { name: "{name}", n: 1 },
        write: { key: "name" },
      },
      0,
      seededRandom(1),
    );
    expect(t.endpoint).toBe("/users/:name");
    expect(t.headers["content-type"]).toBe("application/json");
    const r = t.next();
    expect(r.path).toBe("/users/a%20b%22c?x=1");
    expect(JSON.parse(r.body!)).toEqual({ name: 'a b"c', n: 1 });
    expect(r.key).toBe('a b"c');
    expect(t.isExpected(302)).toBe(true);
    expect(t.isExpected(404)).toBe(false);
  });

  it("pick templates by weight", () => {
    const random = seededRandom(9);
    const a = compileTemplate({ path: "/a", weight: 9 }, 0, random);
    const b = compileTemplate({ path: "/b", weight: 1 }, 1, random);
    const pick = weightedPicker([a, b], random);
    let nA = 0;
    for (let i = 0; i < 10_000; i++) if (pick() === a) nA++;
    expect(nA / 10_000).toBeCloseTo(0.9, 1);
  });
});
