import { HarnessError } from "../errors.ts";

/**
 * Durations as users type them, k6 style.
 *
 *   duration := part+ | number          a bare number is milliseconds
 *   part     := number unit
 *   number   := digits [ "." digits ]
 *   unit     := "us" | "µs" | "ms" | "s" | "m" | "h"
 *
 * Examples: `30s`, `1m30s`, `250ms`, `1.5s`, `2h`. Negative and empty durations are errors.
 */
const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/y;

/** Parse a duration to milliseconds; `where` names the field for the error message. */
export function parseDurationMs(input: string | number, where = "duration"): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw bad(String(input), where);
    return input;
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let matched = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) throw bad(input, where);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched++;
  }
  if (matched === 0) throw bad(input, where);
  return total;
}

/** Same as parseDurationMs, but returns undefined instead of throwing. */
export function tryParseDurationMs(input: string | number): number | undefined {
  try {
    return parseDurationMs(input);
  } catch {
    return undefined;
  }
}

/** `90000` -> `1m30s`, `1500` -> `1.5s`, `250` -> `250ms`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms * 10) / 10}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms - m * 60_000) / 1000);
  return s === 0 ? `${m}m` : `${m}m${s}s`;
}

function bad(input: string, where: string): HarnessError {
  return new HarnessError("HARNESS_SCENARIO_INVALID", `${where}: '${input}' is not a duration`, {
    hint: "write it like 30s, 1m30s or 250ms",
  });
}
