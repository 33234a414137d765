import { describe, expect, it } from "vitest";
import { formatDuration, formatNumber, formatObserved, formatPercent } from "./format.ts";

describe("formatting for reports", () => {
  it.each([
    [{ observed: 2451.5, unit: "ms" }, "2,452 ms (2.45 s)"],
    [{ observed: 12.345, unit: "ms" }, "12.35 ms"],
    [{ observed: 9.4, unit: "s" }, "9.4 s"],
    [{ observed: 0.0012, unit: "rate" }, "0.120 % (0.0012)"],
    [{ observed: 0, unit: "rate" }, "0 %"],
    [{ observed: 3, unit: "count" }, "3"],
    [{ observed: 48.5, unit: "/s" }, "48.5/s"],
    [{ observed: 1_500_000, unit: "bytes" }, "1,500,000 bytes"],
    [{ unit: "ms" }, "—"],
  ])("writes %o as %s", (r, text) => {
    expect(formatObserved(r)).toBe(text);
  });

  it("keeps small fractions readable and large numbers grouped", () => {
    expect(formatNumber(0.000123)).toBe("0.000123");
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(10.5)).toBe("10.5");
    expect(formatPercent(0.5)).toBe("50.0 %");
    expect(formatDuration(61_250)).toBe("1 min 01 s");
    expect(formatDuration(850)).toBe("850 ms");
  });
});
