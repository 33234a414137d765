import { describe, expect, it } from "vitest";
import { ExitCode, HarnessError, isHarnessError } from "./errors.ts";

describe("HarnessError", () => {
  it("takes its exit code from the code's row in the table", () => {
    expect(new HarnessError("HARNESS_COMPOSE_INVALID", "x").exitCode).toBe(ExitCode.usage);
    expect(new HarnessError("HARNESS_DOCKER_UNREACHABLE", "x").exitCode).toBe(ExitCode.infrastructure);
    expect(new HarnessError("HARNESS_RUN_INVALID", "x").exitCode).toBe(ExitCode.invalid);
  });

  it("prints the problem and the hint on one line", () => {
    const e = new HarnessError("HARNESS_USAGE", "unknown command 'rnu'", { hint: "run 'harness --help'" });
    expect(e.toOneLine()).toBe("unknown command 'rnu' (run 'harness --help')");
    expect(e.toOneLine()).not.toContain("\n");
    expect(isHarnessError(e)).toBe(true);
    expect(isHarnessError(new Error("x"))).toBe(false);
  });
});
