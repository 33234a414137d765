import { describe, expect, it } from "vitest";
import { harness } from "../e2e/harness-cli.ts";

describe("harness run / plan / list from the command line", () => {
  it("lists the bundled scenarios with their descriptions", async () => {
    const { code, stdout } = await harness(["list"]).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^failover-primary\s+kill the PostgreSQL primary/m);
  });

  it("prints the plan of failover-primary without starting anything", async () => {
    const { code, stdout } = await harness(["plan", "failover-primary", "--rate", "30"]).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/load\s+constant-arrival-rate 30\/s/);
    expect(stdout).toMatch(/fault\s+kill-leader/);
    expect(stdout).toMatch(/threshold\s+recovery_time value<30s/);
  });

  it.each([
    [
      ["run", "no-such-scenario"],
      /unknown scenario .no-such-scenario.*known scenarios: .*cache-stampede.*failover-primary/,
    ],
    [["run", "failover-primary", "--bogus"], /Unknown option '--bogus'/],
    [["run", "failover-primary", "--env", "DB_FAILOVER"], /--env DB_FAILOVER: expected KEY=VALUE/],
    [["run", "failover-primary", "--duration", "soon"], /--duration must be a duration/],
    [["run"], /harness run takes one scenario/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("refuses %j with one line and exit 2, starting nothing", async (args, pattern) => {
    const { code, stderr } = await harness(args).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(pattern);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
