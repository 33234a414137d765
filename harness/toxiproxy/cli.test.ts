import { describe, expect, it } from "vitest";
import { parseToxiproxyArgs, UsageError } from "./cli.ts";

describe("toxiproxy flags", () => {
  it("defaults to 127.0.0.1:8474 without metrics", () => {
    expect(parseToxiproxyArgs([])).toEqual({ host: "127.0.0.1", port: 8474, metrics: false });
  });

  it("accepts Go's one-dash flags and --flag=value", () => {
    expect(parseToxiproxyArgs(["-host", "0.0.0.0", "--port=9000", "--config", "p.json", "-proxy-metrics"])).toEqual({
      host: "0.0.0.0",
      port: 9000,
      config: "p.json",
      metrics: true,
    });
  });

  it.each([[["--port", "x"]], [["--port", "70000"]], [["--nope"]], [["--host"]], [["stray"]]])(
    "rejects %j with a usage error",
    (argv) => {
      expect(() => parseToxiproxyArgs(argv)).toThrow(UsageError);
    },
  );

  it("answers help and version", () => {
    expect(parseToxiproxyArgs(["--help"])).toBe("help");
    expect(parseToxiproxyArgs(["-version"])).toBe("version");
  });
});
