import { describe, expect, it } from "vitest";
import { readConfig } from "./config.ts";

describe("readConfig", () => {
  it("turns every protection on when nothing is set", () => {
    const { config, problems } = readConfig({}, "h1");
    expect(problems).toEqual([]);
    expect([config.stampedeProtection, config.circuitBreaker, config.dbFailover, config.rateLimit]).toEqual([
      "on",
      "on",
      "on",
      "on",
    ]);
    expect(config.instance).toBe("h1");
    expect(config.shardUrls).toHaveLength(2);
  });

  it("reads off, false and 0 as off, in any case", () => {
    const { config, problems } = readConfig(
      { STAMPEDE_PROTECTION: "OFF", CIRCUIT_BREAKER: "false", DB_FAILOVER: "0", RATE_LIMIT: "off" },
      "h",
    );
    expect(problems).toEqual([]);
    expect([config.stampedeProtection, config.circuitBreaker, config.dbFailover, config.rateLimit]).toEqual([
      "off",
      "off",
      "off",
      "off",
    ]);
  });

  it("reports every bad value at once, naming the variable and what it expects", () => {
    const { problems } = readConfig({ STAMPEDE_PROTECTION: "maybe", RATE_LIMIT_RPS: "-3", DB_NODES: " , " }, "h");
    expect(problems).toEqual([
      'STAMPEDE_PROTECTION="maybe" is not a switch value (expected on or off)',
      'RATE_LIMIT_RPS="-3" is not an integer >= 1',
      "DB_NODES is empty (expected host:port,host:port,...)",
    ]);
  });
});
