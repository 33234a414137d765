import { describe, expect, it } from "vitest";
import { formatDurationMs, parseDurationMs } from "./duration.ts";

describe("parseDurationMs", () => {
  it.each([
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["250ms", 250],
    ["1.5s", 1500],
    ["2h", 7_200_000],
    ["500us", 0.5],
    ["100", 100],
    [" 10s ", 10_000],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "s", "10", "-5s", "10 s", "10x", "1m30", "ms10"].filter((x) => x !== "10"))(
    "refuses %j with the field named",
    (text) => {
      expect(() => parseDurationMs(text, "load.duration")).toThrow(/load\.duration: .* is not a duration/);
    },
  );

  it("formats back to the short form", () => {
    expect(formatDurationMs(90_000)).toBe("1m30s");
    expect(formatDurationMs(1500)).toBe("1.5s");
    expect(formatDurationMs(250)).toBe("250ms");
  });
});
