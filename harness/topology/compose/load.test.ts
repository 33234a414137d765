// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose ${VAR} syntax under test
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHarnessError } from "../../errors.ts";
import { loadCompose, parsePort } from "./load.ts";

const fixture = path.resolve(import.meta.dirname, "../../../test/fixtures/three-services/compose.yaml");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "harness-compose-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function failure(file: string, opts = {}): Promise<{ code: string; message: string; exitCode: number }> {
  try {
    await loadCompose(file, opts);
  } catch (e) {
    if (isHarnessError(e)) return { code: e.code, message: e.message, exitCode: e.exitCode };
    throw e;
  }
  throw new Error("expected loadCompose to fail");
}

describe("loadCompose", () => {
  it("loads the three-services fixture in dependency order with merge keys and interpolation", async () => {
    const model = await loadCompose(fixture, { env: { GREETING: "hi" } });
    expect(model.project).toBe("three-services");
    expect(model.startOrder).toEqual(["cache", "web", "edge"]);
    expect(model.services.web?.environment.GREETING).toBe("hi");
    expect(model.services.web?.ports).toEqual([{ containerPort: 8080, protocol: "tcp", hostPort: 0 }]);
    expect(model.services.edge?.dependsOn).toEqual({ web: { condition: "service_healthy" } });
    expect(model.services.cache?.command).toEqual([
      "redis-server",
      "--port",
      "6379",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "no",
    ]);
    expect(model.services.cache?.healthcheck).toEqual({
      test: ["CMD", "redis-cli", "-p", "6379", "ping"],
      intervalMs: 1000,
      timeoutMs: 2000,
      retries: 30,
    });
    expect(model.services.edge?.mounts).toEqual([
      { type: "volume", source: "scratch", target: "/scratch", readOnly: false },
      { type: "tmpfs", target: "/tmp/run", options: "size=8m" },
    ]);
    expect(Object.keys(model.networks)).toEqual(["default"]);
    expect(Object.keys(model.volumes)).toEqual(["scratch"]);
    expect(model.services.web?.image).toBe("harness-fixture-three:latest");
  });

  it("uses the default when a variable is unset, and the caller's env over process.env", async () => {
    const file = await write(
      "env.yaml",
      "services:\n  a:\n    image: x\n    environment:\n      - A=${HARNESS_T_UNSET:-dflt}\n      - B=${HOME}\n      - C=$$literal\n",
    );
    const m = await loadCompose(file, { env: { HOME: "/override" } });
    expect(m.services.a?.environment).toEqual({ A: "dflt", B: "/override", C: "$literal" });
  });

  it("enables services by profile", async () => {
    const file = await write(
      "profiles.yaml",
      "services:\n  a:\n    image: x\n  b:\n    image: x\n    profiles: [debug]\n",
    );
    expect(Object.keys((await loadCompose(file)).services)).toEqual(["a"]);
    expect(Object.keys((await loadCompose(file, { profiles: ["debug"] })).services)).toEqual(["a", "b"]);
  });

  it("accepts x- extension keys at the top level and in services", async () => {
    const file = await write("ext.yaml", "x-common: {a: 1}\nservices:\n  a:\n    image: x\n    x-note: hello\n");
    expect((await loadCompose(file)).services.a?.image).toBe("x");
  });

  it("names a build-only service's image after the project and service", async () => {
    const file = await write("build.yaml", "name: Demo\nservices:\n  api:\n    build: .\n");
    const m = await loadCompose(file);
    expect(m.services.api?.image).toBe("demo-api");
    expect(m.services.api?.build).toEqual({ context: dir, dockerfile: "Dockerfile", args: {} });
  });

  it("reads resource limits: mem_limit, cpus, ulimits and sysctls", async () => {
    const file = await write(
      "limits.yaml",
      "services:\n  a:\n    image: x\n    mem_limit: 256m\n    cpus: 0.5\n    ulimits:\n      nofile: {soft: 1024, hard: 2048}\n      nproc: 512\n    sysctls:\n      net.core.somaxconn: 1024\n",
    );
    const a = (await loadCompose(file)).services.a;
    expect(a?.memLimitBytes).toBe(256 * 1024 ** 2);
    expect(a?.cpus).toBe(0.5);
    expect(a?.ulimits).toEqual({ nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 512, hard: 512 } });
    expect(a?.sysctls).toEqual({ "net.core.somaxconn": "1024" });
  });

  const bad: Array<[string, string, string, RegExp]> = [
    [
      "unsupported.yaml",
      "services:\n  web:\n    image: x\n    deploy: {replicas: 2}\n",
      "HARNESS_COMPOSE_INVALID",
      /unsupported.yaml: service 'web': unsupported key 'deploy'/,
    ],
    [
      "nested.yaml",
      "services:\n  web:\n    image: x\n    build: {context: ., target: dev}\n",
      "HARNESS_COMPOSE_INVALID",
      /service 'web': in 'build': unsupported key 'target'/,
    ],
    [
      "top.yaml",
      "services:\n  web:\n    image: x\nconfigs: {}\n",
      "HARNESS_COMPOSE_INVALID",
      /top level: unsupported key 'configs'/,
    ],
    [
      "dep.yaml",
      "services:\n  web:\n    image: x\n    depends_on: [db]\n",
      "HARNESS_COMPOSE_INVALID",
      /service 'web': key 'depends_on': unknown service 'db'/,
    ],
    [
      "cycle.yaml",
      "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n",
      "HARNESS_COMPOSE_INVALID",
      /dependency cycle a -> b -> a/,
    ],
    [
      "syntax.yaml",
      "services:\n  web:\n    image: x\n   ports: [\n",
      "HARNESS_COMPOSE_INVALID",
      /syntax.yaml:\d+:\d+: YAML syntax error/,
    ],
    [
      "port.yaml",
      'services:\n  web:\n    image: x\n    ports: ["0.0.0.0:80:80"]\n',
      "HARNESS_COMPOSE_INVALID",
      /key 'ports\[0\]': host address 0.0.0.0 is not allowed/,
    ],
    [
      "noimage.yaml",
      "services:\n  web:\n    command: x\n",
      "HARNESS_COMPOSE_INVALID",
      /service 'web': needs 'image' or 'build'/,
    ],
    [
      "vol.yaml",
      'services:\n  web:\n    image: x\n    volumes: ["data:/data"]\n',
      "HARNESS_COMPOSE_INVALID",
      /volume 'data' is not declared/,
    ],
    [
      "dur.yaml",
      'services:\n  web:\n    image: x\n    healthcheck: {test: [CMD, "true"], interval: soon}\n',
      "HARNESS_COMPOSE_INVALID",
      /key 'healthcheck.interval': 'soon' is not a duration/,
    ],
    [
      "required.yaml",
      "services:\n  web:\n    image: ${HARNESS_T_IMAGE:?set HARNESS_T_IMAGE}\n",
      "HARNESS_COMPOSE_INVALID",
      /service 'web': key 'image': required variable HARNESS_T_IMAGE is unset/,
    ],
    [
      "type.yaml",
      "services:\n  web:\n    image: x\n    ports: 8080\n",
      "HARNESS_COMPOSE_INVALID",
      /service 'web': key 'ports': expected array/,
    ],
  ];
  it.each(bad)("rejects %s with a message naming the file, service and key", async (name, text, code, pattern) => {
    const f = await failure(await write(name, text));
    expect(f.code).toBe(code);
    expect(f.exitCode).toBe(2);
    expect(f.message).toMatch(pattern);
  });

  it("reports every problem at once", async () => {
    const f = await failure(
      await write(
        "many.yaml",
        "services:\n  a:\n    image: x\n    deploy: {}\n  b:\n    image: x\n    depends_on: [zz]\n    healthcheck: {test: [CMD, x], timeout: later}\n",
      ),
    );
    expect(f.message).toMatch(/unsupported key 'deploy'/);
  });

  it("says a missing file is missing", async () => {
    const f = await failure(path.join(dir, "nope.yaml"));
    expect(f.code).toBe("HARNESS_COMPOSE_NOT_FOUND");
    expect(f.message).toMatch(/nope.yaml not found/);
  });
});

describe("parsePort", () => {
  it.each([
    ["8080", { containerPort: 8080, protocol: "tcp", hostPort: 0 }],
    ["0:8080", { containerPort: 8080, protocol: "tcp", hostPort: 0 }],
    ["18080:8080", { containerPort: 8080, protocol: "tcp", hostPort: 18080 }],
    ["127.0.0.1:18080:8080/udp", { containerPort: 8080, protocol: "udp", hostPort: 18080 }],
    ["127.0.0.1::53/udp", { containerPort: 53, protocol: "udp", hostPort: 0 }],
    [8080, { containerPort: 8080, protocol: "tcp", hostPort: 0 }],
  ] as const)("%j publishes %j", (input, expected) => {
    expect(parsePort(input)).toEqual(expected);
  });
  it("rejects ranges and bad numbers", () => {
    expect(parsePort("8000-8010:8000-8010")).toMatch(/ranges/);
    expect(parsePort("http")).toMatch(/not a port number/);
  });
});
