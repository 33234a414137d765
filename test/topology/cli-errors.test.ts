import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Bad input through the real CLI: one line on stderr naming the problem and the fix, and the exit code.
const bin = path.resolve(import.meta.dirname, "../../bin/harness.mjs");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "harness-cli-"));
  await writeFile(path.join(dir, "syntax.yaml"), "services:\n  web:\n    image: x\n   ports: [\n");
  await writeFile(path.join(dir, "dep.yaml"), "services:\n  web:\n    image: x\n    depends_on: [db]\n");
  await writeFile(path.join(dir, "key.yaml"), "services:\n  web:\n    image: x\n    deploy: {replicas: 3}\n");
  await writeFile(path.join(dir, "ok.yaml"), "services:\n  web:\n    image: debian:bookworm-slim\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function harness(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe("harness up with bad input", () => {
  const cases: Array<[string, string[], Record<string, string>, number, RegExp]> = [
    [
      "a missing compose file",
      ["up", "-f", "missing.yaml"],
      {},
      2,
      /^error HARNESS_COMPOSE_NOT_FOUND: compose file missing\.yaml not found \(pass -f/,
    ],
    [
      "a YAML syntax error",
      ["up", "-f", "syntax.yaml"],
      {},
      2,
      /^error HARNESS_COMPOSE_INVALID: syntax\.yaml:4:\d+: YAML syntax error: .+ \(fix the YAML/,
    ],
    [
      "an unknown service in depends_on",
      ["up", "-f", "dep.yaml"],
      {},
      2,
      /^error HARNESS_COMPOSE_INVALID: dep\.yaml: service 'web': key 'depends_on': unknown service 'db' \(/,
    ],
    [
      "an unsupported key",
      ["up", "-f", "key.yaml"],
      {},
      2,
      /^error HARNESS_COMPOSE_INVALID: key\.yaml: service 'web': unsupported key 'deploy' \(remove the key, or prefix it with x-/,
    ],
    [
      "an unreachable Docker",
      ["up", "-f", "ok.yaml"],
      { DOCKER_HOST: "unix:///nonexistent" },
      3,
      /^error HARNESS_DOCKER_UNREACHABLE: Docker is unreachable at unix:\/\/\/nonexistent: .* \(run scripts\/setup-docker\.sh \(or start dockerd\)\)$/,
    ],
    [
      "an unknown flag",
      ["up", "--frobnicate"],
      {},
      2,
      /^error HARNESS_USAGE: harness up: .*frobnicate.* \(run 'harness up --help'\)$/,
    ],
  ];
  it.each(cases)("%s exits with a one-line error", (_what, args, env, code, pattern) => {
    const r = harness(args, env);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.code).toBe(code);
  });

  it("doctor marks Docker as failing with the setup hint and exits 3", () => {
    const r = harness(["doctor"], { DOCKER_HOST: "unix:///nonexistent" });
    expect(r.stdout).toMatch(/^fail {2}docker .*Docker is unreachable at unix:\/\/\/nonexistent/m);
    expect(r.stdout).toMatch(/-> run scripts\/setup-docker\.sh \(or start dockerd\)/);
    expect(r.stdout).toMatch(/^ok {4}disk /m);
    expect(r.code).toBe(3);
  });

  it("ps and down --all say Docker is unreachable with exit 3", () => {
    for (const cmd of [
      ["ps", "--all"],
      ["down", "--all"],
    ]) {
      const r = harness(cmd, { DOCKER_HOST: "unix:///nonexistent" });
      expect(r.stderr.trim()).toMatch(/^error HARNESS_DOCKER_UNREACHABLE: .*\(run scripts\/setup-docker\.sh/);
      expect(r.code).toBe(3);
    }
  });
});
