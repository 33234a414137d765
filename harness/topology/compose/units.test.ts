import { describe, expect, it } from "vitest";
import { parseByteSize, parseComposeDurationMs, splitShellWords } from "./units.ts";

describe("parseComposeDurationMs", () => {
  const cases: Array<[string | number, number | undefined]> = [
    ["10s", 10_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["2h", 7_200_000],
    ["0", 0],
    [3, 3000],
    ["100us", 0.1],
    ["ten", undefined],
    ["10 s", undefined],
    ["", undefined],
  ];
  it.each(cases)("%j is %j ms", (input, expected) => {
    expect(parseComposeDurationMs(input)).toBe(expected);
  });
});

describe("parseByteSize", () => {
  it.each([
    ["64m", 64 * 1024 ** 2],
    ["1gb", 1024 ** 3],
    ["512k", 512 * 1024],
    [2048, 2048],
    ["lots", undefined],
  ] as Array<[string | number, number | undefined]>)("%j is %j bytes", (input, expected) => {
    expect(parseByteSize(input)).toBe(expected);
  });
});

describe("splitShellWords", () => {
  it.each([
    ["redis-server --port 6379", ["redis-server", "--port", "6379"]],
    [`sh -c "echo 'hi there' && sleep 1"`, ["sh", "-c", "echo 'hi there' && sleep 1"]],
    [`echo 'a "b"'  c\\ d`, ["echo", 'a "b"', "c d"]],
    [`echo ""`, ["echo", ""]],
  ] as Array<[string, string[]]>)("%j splits into %j", (input, expected) => {
    expect(splitShellWords(input)).toEqual(expected);
  });
  it("refuses an unclosed quote", () => {
    expect(splitShellWords(`echo "oops`)).toBeUndefined();
  });
});
