// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose ${VAR} syntax under test
import { describe, expect, it } from "vitest";
import { InterpolationError, interpolate } from "./interpolate.ts";

const env: Record<string, string> = { PORT: "8080", EMPTY: "", NAME: "web" };
const lookup = (n: string) => env[n];

describe("interpolate", () => {
  const cases: Array<[string, string]> = [
    ["plain", "plain"],
    ["$PORT", "8080"],
    ["${PORT}", "8080"],
    ["port ${PORT}/tcp", "port 8080/tcp"],
    ["${MISSING}", ""],
    ["${MISSING:-9090}", "9090"],
    ["${EMPTY:-9090}", "9090"],
    ["${EMPTY-9090}", ""],
    ["${MISSING-9090}", "9090"],
    ["${MISSING:-${PORT}}", "8080"],
    ["${NAME:+on}", "on"],
    ["${EMPTY:+on}", ""],
    ["$$HOME", "$HOME"],
    ["a$$$$b", "a$$b"],
    ["cost: 5$", "cost: 5$"],
  ];
  it.each(cases)("%j becomes %j", (input, expected) => {
    expect(interpolate(input, lookup)).toBe(expected);
  });

  it("rejects a required variable that is unset, quoting its message", () => {
    expect(() => interpolate("${DB_URL:?set DB_URL}", lookup)).toThrow(/DB_URL is unset: set DB_URL/);
  });
  it("rejects an unclosed brace", () => {
    expect(() => interpolate("${PORT", lookup)).toThrow(InterpolationError);
  });
});
