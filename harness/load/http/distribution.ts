import type { Random } from "./random.ts";

/**
 * Where a request parameter's value comes from. Data, so scenarios can declare it; build one with
 * `uniform`, `zipf`, `hotKeys`, `sequential` or `oneOf`.
 */
export type Distribution =
  | { kind: "uniform"; min: number; max: number }
  | { kind: "zipf"; n: number; s: number }
  | { kind: "hot-keys"; n: number; hot: number; share: number }
  | { kind: "sequential"; start: number; step: number }
  | { kind: "list"; values: readonly (string | number)[]; order: "random" | "cycle" };

/** Integers min..max (inclusive), all equally likely. */
export function uniform(min: number, max: number): Distribution {
  return { kind: "uniform", min, max };
}

/** Keys 1..n where key k is drawn with probability proportional to 1/k^s (s default 1): a few keys are hot. */
export function zipf(n: number, s = 1): Distribution {
  return { kind: "zipf", n, s };
}

/** Keys 1..n where keys 1..hot get `share` (0..1) of the draws and the rest share what is left evenly. */
export function hotKeys(n: number, hot: number, share: number): Distribution {
  return { kind: "hot-keys", n, hot, share };
}

/** start, start+step, ... one per request of the template (unique keys for writes). Defaults 1, 1. */
export function sequential(start = 1, step = 1): Distribution {
  return { kind: "sequential", start, step };
}

/** Values from a list, drawn at random (default) or in turn. */
export function oneOf(values: readonly (string | number)[], order: "random" | "cycle" = "random"): Distribution {
  return { kind: "list", values, order };
}

/** Problems with a distribution, `where` naming it. */
export function validateDistribution(d: unknown, where: string): string[] {
  if (typeof d !== "object" || d === null || typeof (d as { kind?: unknown }).kind !== "string") {
    return [`${where} must be a distribution (uniform, zipf, hotKeys, sequential, oneOf)`];
  }
  const x = d as Record<string, unknown>;
  const int = (v: unknown, min: number): boolean => typeof v === "number" && Number.isInteger(v) && v >= min;
  const out: string[] = [];
  switch (x.kind) {
    case "uniform":
      if (!Number.isInteger(x.min) || !Number.isInteger(x.max) || (x.max as number) < (x.min as number)) {
        out.push(`${where}: uniform needs integers min <= max, got ${x.min}..${x.max}`);
      }
      break;
    case "zipf":
      if (!int(x.n, 1) || (x.n as number) > 10_000_000)
        out.push(`${where}: zipf n must be an integer 1..10000000, got ${x.n}`);
      if (typeof x.s !== "number" || !(x.s > 0) || !Number.isFinite(x.s))
        out.push(`${where}: zipf s must be > 0, got ${x.s}`);
      break;
    case "hot-keys":
      if (!int(x.n, 1) || !int(x.hot, 1) || (x.hot as number) > (x.n as number)) {
        out.push(`${where}: hotKeys needs integers 1 <= hot <= n, got hot ${x.hot} of ${x.n}`);
      }
      if (typeof x.share !== "number" || x.share < 0 || x.share > 1)
        out.push(`${where}: hotKeys share must be 0..1, got ${x.share}`);
      break;
    case "sequential":
      if (!Number.isFinite(x.start) || !Number.isFinite(x.step))
        out.push(`${where}: sequential start and step must be numbers`);
      break;
    case "list":
      if (!Array.isArray(x.values) || x.values.length === 0) out.push(`${where}: oneOf needs a non-empty list`);
      break;
    default:
      out.push(`${where}: unknown distribution kind ${JSON.stringify(x.kind)}`);
  }
  return out;
}

/** A sampler: call it for the next value. */
export type Sampler = () => string | number;

/** Compile a valid distribution into a sampler drawing from `random`. */
export function sampler(d: Distribution, random: Random): Sampler {
  switch (d.kind) {
    case "uniform": {
      const span = d.max - d.min + 1;
      return () => d.min + Math.floor(random() * span);
    }
    case "zipf": {
      // Cumulative weights once, then a binary search per draw: O(log n).
      const cdf = new Float64Array(d.n);
      let sum = 0;
      for (let k = 1; k <= d.n; k++) {
        sum += 1 / k ** d.s;
        cdf[k - 1] = sum;
      }
      return () => {
        const u = random() * sum;
        let lo = 0;
        let hi = d.n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cdf[mid]! < u) lo = mid + 1;
          else hi = mid;
        }
        return lo + 1;
      };
    }
    case "hot-keys": {
      const cold = d.n - d.hot;
      return () => {
        if (cold === 0 || random() < d.share) return 1 + Math.floor(random() * d.hot);
        return d.hot + 1 + Math.floor(random() * cold);
      };
    }
    case "sequential": {
      let next = d.start;
      return () => {
        const v = next;
        next += d.step;
        return v;
      };
    }
    case "list": {
      const values = d.values;
      if (d.order === "cycle") {
        let i = 0;
        return () => values[i++ % values.length]!;
      }
      return () => values[Math.floor(random() * values.length)]!;
    }
  }
}

/** Probability of zipf key k (1-based), for tests and plans. */
export function zipfProbability(n: number, s: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / i ** s;
  return 1 / k ** s / sum;
}
