import { HarnessError } from "../../errors.ts";
import { tryParseDurationMs } from "../../scenario/duration.ts";

/**
 * Reads a check's params, collecting every problem; `done()` throws them all at once.
 * Duration fields (`...Ms`) take ms or a duration string (`5s`).
 */
export class ParamReader {
  readonly #check: string;
  readonly #params: Readonly<Record<string, unknown>>;
  readonly #problems: string[] = [];
  readonly #known = new Set<string>();

  constructor(check: string, params: Readonly<Record<string, unknown>> | undefined) {
    this.#check = check;
    this.#params = params ?? {};
  }

  /** A number in [min, max] (exclusive bounds when `exclusive`). */
  number(key: string, fallback: number, min: number, max: number, exclusive = false): number {
    this.#known.add(key);
    const v = this.#params[key];
    if (v === undefined) return fallback;
    const ok = typeof v === "number" && Number.isFinite(v) && (exclusive ? v > min && v < max : v >= min && v <= max);
    if (!ok) {
      const range = exclusive ? `between ${min} and ${max} (exclusive)` : `between ${min} and ${max}`;
      this.#problems.push(`${key} must be a number ${range}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v as number;
  }

  durationMs(key: string, fallback: number): number {
    this.#known.add(key);
    const v = this.#params[key];
    if (v === undefined) return fallback;
    const ms = typeof v === "string" || typeof v === "number" ? tryParseDurationMs(v) : undefined;
    if (ms === undefined || ms <= 0) {
      this.#problems.push(`${key} must be a positive duration (ms or '5s'), got ${JSON.stringify(v)}`);
      return fallback;
    }
    return ms;
  }

  string(key: string): string | undefined;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string | undefined {
    this.#known.add(key);
    const v = this.#params[key];
    if (v === undefined) return fallback;
    if (typeof v !== "string" || v === "") {
      this.#problems.push(`${key} must be a non-empty string, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return v;
  }

  /** Throw every problem found, unknown keys included. */
  done(): void {
    for (const key of Object.keys(this.#params)) {
      if (!this.#known.has(key)) {
        this.#problems.push(`unknown param '${key}' (known: ${[...this.#known].join(", ") || "none"})`);
      }
    }
    if (this.#problems.length > 0) {
      throw new HarnessError("HARNESS_SCENARIO_INVALID", `checkParams.${this.#check}: ${this.#problems.join("; ")}`, {
        hint: `see the TSDoc of harness/verdict/checks for ${this.#check}'s params, units and defaults`,
      });
    }
  }
}
