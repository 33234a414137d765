import { describe, expect, it } from "vitest";
import { Label, runFilter, runLabels } from "./labels.ts";

describe("run labels", () => {
  it("label every object with the run and the project", () => {
    expect(runLabels("r1", "web", { extra: "x", [Label.run]: "spoofed" })).toEqual({
      extra: "x",
      "io.harness.run": "r1",
      "io.harness.project": "web",
    });
  });
  it("filter one run by its id, and every run (down --all) by the label's presence", () => {
    expect(runFilter("r1")).toEqual({ label: ["io.harness.run=r1"] });
    expect(runFilter()).toEqual({ label: ["io.harness.run"] });
  });
});
