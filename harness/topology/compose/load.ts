import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { HarnessError } from "../../errors.ts";
import { InterpolationError, interpolate, type Lookup } from "./interpolate.ts";
import type {
  BuildModel,
  ComposeModel,
  DependsOnCondition,
  HealthcheckModel,
  MountModel,
  NetworkModel,
  PortModel,
  ServiceModel,
  VolumeModel,
} from "./model.ts";
import { composeSchema, isRecord, type RawCompose, type RawService, stripExtensions } from "./schema.ts";
import { parseByteSize, parseComposeDurationMs, splitShellWords } from "./units.ts";

export interface LoadComposeOptions {
  /** Active profiles; services without `profiles:` are always enabled. */
  profiles?: string[];
  /** Variables for interpolation; win over process.env, which wins over the `.env` beside the file. */
  env?: Record<string, string>;
}

/** File names tried, in order, when a directory is given. */
const defaultNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

/**
 * Read, interpolate, validate and normalise a compose file. Every problem is reported at once in
 * one HARNESS_COMPOSE_INVALID error naming the file, the service and the key; a missing file is
 * HARNESS_COMPOSE_NOT_FOUND.
 */
export async function loadCompose(file: string, opts: LoadComposeOptions = {}): Promise<ComposeModel> {
  const abs = await resolveFile(file);
  const shown = displayPath(abs);
  const text = await readFile(abs, "utf8");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: true, lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
    const reason = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw invalid(`${where}: YAML syntax error: ${reason}`, "fix the YAML syntax at that line");
  }
  const raw: unknown = doc.toJS();
  if (!isRecord(raw)) throw invalid(`${shown}: expected a mapping with 'services:' at the top`, "see the Compose spec");

  const dotEnv = await readEnvFile(path.join(path.dirname(abs), ".env"), false);
  const lookup: Lookup = (name) => opts.env?.[name] ?? process.env[name] ?? dotEnv[name];
  const problems: string[] = [];
  const interpolated = interpolateTree(raw, lookup, [], problems);
  if (problems.length > 0) throw invalidAll(shown, problems);

  const parsed = composeSchema.safeParse(stripExtensions(interpolated));
  if (!parsed.success) throw invalidAll(shown, parsed.error.issues.map(describeIssue));

  return await normalise(parsed.data, abs, lookup, opts.profiles ?? [], shown);
}

async function resolveFile(file: string): Promise<string> {
  const abs = path.resolve(file);
  let info: Awaited<ReturnType<typeof stat>> | undefined;
  try {
    info = await stat(abs);
  } catch {
    info = undefined;
  }
  if (info?.isFile()) return abs;
  if (info?.isDirectory()) {
    for (const name of defaultNames) {
      const candidate = path.join(abs, name);
      if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
    }
  }
  throw new HarnessError("HARNESS_COMPOSE_NOT_FOUND", `compose file ${displayPath(abs)} not found`, {
    hint: "pass -f <path to compose.yaml>, or run from the directory that holds it",
  });
}

function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === "" || rel.startsWith("..") ? abs : rel;
}

function invalid(message: string, hint: string): HarnessError {
  return new HarnessError("HARNESS_COMPOSE_INVALID", message, { hint });
}

function invalidAll(shown: string, problems: string[]): HarnessError {
  const [first, ...rest] = problems;
  const more = rest.length > 0 ? `; ${rest.join("; ")}` : "";
  const unsupported = problems.some((p) => p.includes("unsupported key"));
  return invalid(
    `${shown}: ${first}${more}`,
    unsupported
      ? "remove the key, or prefix it with x- to keep it as an extension (supported keys: harness/topology/README.md)"
      : "fix the compose file",
  );
}

/** "service 'web': key 'ports[0]'" from a zod path. */
function where(pathParts: ReadonlyArray<PropertyKey>): string {
  const parts = [...pathParts];
  let prefix = "";
  if (parts[0] === "services" && parts.length >= 2) {
    prefix = `service '${String(parts[1])}'`;
    parts.splice(0, 2);
  } else if ((parts[0] === "networks" || parts[0] === "volumes") && parts.length >= 2) {
    prefix = `${String(parts[0]).slice(0, -1)} '${String(parts[1])}'`;
    parts.splice(0, 2);
  }
  const key = parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
  if (prefix && key) return `${prefix}: key '${key}'`;
  return prefix || (key ? `key '${key}'` : "top level");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `'${k}'`).join(", ");
    const at = where(issue.path);
    const context = at === "top level" ? "top level" : at.replace(/: key '(.*)'$/, ": in '$1'");
    return `${context}: unsupported key ${keys}`;
  }
  if (issue.code === "invalid_union") {
    // Report the branch that got furthest: the one whose problems are not a type mismatch at the union itself.
    const depth = issue.path.length;
    const branch = issue.errors.find((b) => b.some((i) => i.code !== "invalid_type" || i.path.length > 0));
    if (branch?.[0])
      return describeIssue({
        ...branch[0],
        path: [...issue.path, ...branch[0].path.slice(0, undefined)],
      } as z.core.$ZodIssue);
    return `${where(issue.path.slice(0, depth))}: has the wrong type`;
  }
  if (issue.code === "invalid_value") {
    return `${where(issue.path)}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (issue.code === "invalid_type") {
    return `${where(issue.path)}: expected ${issue.expected}`;
  }
  return `${where(issue.path)}: ${issue.message}`;
}

function interpolateTree(value: unknown, lookup: Lookup, at: PropertyKey[], problems: string[]): unknown {
  if (typeof value === "string") {
    try {
      return interpolate(value, lookup);
    } catch (e) {
      if (e instanceof InterpolationError) {
        problems.push(`${where(at)}: ${e.message}`);
        return value;
      }
      throw e;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, lookup, [...at, i], problems));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, lookup, [...at, k], problems);
    return out;
  }
  return value;
}

/** KEY=VALUE lines; `#` comments; optional `export `; single or double quotes stripped. */
async function readEnvFile(file: string, required: boolean): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if (required) throw e;
    return {};
  }
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out[m[1]!] = value;
  }
  return out;
}

function toMap(value: Record<string, unknown> | string[] | undefined, lookup?: Lookup): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  if (Array.isArray(value)) {
    for (const item of value) {
      const eq = item.indexOf("=");
      if (eq === -1) {
        const fromEnv = lookup?.(item);
        if (fromEnv !== undefined) out[item] = fromEnv;
        else if (!lookup) out[item] = "";
      } else {
        out[item.slice(0, eq)] = item.slice(eq + 1);
      }
    }
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) {
      const fromEnv = lookup?.(k);
      if (fromEnv !== undefined) out[k] = fromEnv;
      else if (!lookup) out[k] = "";
    } else {
      out[k] = String(v);
    }
  }
  return out;
}

function sanitiseProject(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return cleaned || "harness";
}

async function normalise(
  raw: RawCompose,
  file: string,
  lookup: Lookup,
  profiles: string[],
  shown: string,
): Promise<ComposeModel> {
  const dir = path.dirname(file);
  const project = sanitiseProject(raw.name ?? path.basename(dir));
  const problems: string[] = [];
  const rawServices = Object.fromEntries(Object.entries(raw.services).map(([n, s]) => [n, s ?? {}])) as Record<
    string,
    RawService
  >;
  if (Object.keys(rawServices).length === 0) problems.push("no services");

  const enabled = (s: RawService): boolean =>
    !s.profiles || s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p));
  const declaredNetworks = raw.networks ?? {};
  const declaredVolumes = raw.volumes ?? {};
  const services: Record<string, ServiceModel> = {};
  const usedNetworks = new Set<string>();
  const usedVolumes = new Set<string>();

  for (const [name, s] of Object.entries(rawServices)) {
    if (!enabled(s)) continue;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) problems.push(`service '${name}': invalid service name`);
    const at = (key: string) => `service '${name}': key '${key}'`;

    let build: BuildModel | undefined;
    if (s.build !== undefined) {
      const b = typeof s.build === "string" ? { context: s.build } : s.build;
      build = {
        context: path.resolve(dir, b.context ?? "."),
        dockerfile: b.dockerfile ?? "Dockerfile",
        args: toMap(b.args as Record<string, unknown> | string[] | undefined, lookup),
      };
    }
    if (!s.image && !build) problems.push(`service '${name}': needs 'image' or 'build'`);
    const image = s.image ?? `${project}-${name}`.toLowerCase();

    const environment: Record<string, string> = {};
    for (const envFile of s.env_file === undefined ? [] : typeof s.env_file === "string" ? [s.env_file] : s.env_file) {
      try {
        Object.assign(environment, await readEnvFile(path.resolve(dir, envFile), true));
      } catch {
        problems.push(`${at("env_file")}: cannot read ${envFile}`);
      }
    }
    Object.assign(environment, toMap(s.environment as Record<string, unknown> | string[] | undefined, lookup));

    const ports: PortModel[] = [];
    (s.ports ?? []).forEach((p, i) => {
      const parsed = parsePort(p);
      if (typeof parsed === "string") problems.push(`${at(`ports[${i}]`)}: ${parsed}`);
      else ports.push(parsed);
    });

    const networks: Record<string, { aliases: string[] }> = {};
    if (s.networks === undefined) networks.default = { aliases: [] };
    else if (Array.isArray(s.networks)) for (const n of s.networks) networks[n] = { aliases: [] };
    else for (const [n, cfg] of Object.entries(s.networks)) networks[n] = { aliases: cfg?.aliases ?? [] };
    for (const n of Object.keys(networks)) {
      if (n !== "default" && !(n in declaredNetworks))
        problems.push(`${at("networks")}: network '${n}' is not declared under top-level 'networks'`);
      usedNetworks.add(n);
    }

    const mounts: MountModel[] = [];
    (s.volumes ?? []).forEach((v, i) => {
      const m = parseMount(v, dir);
      if (typeof m === "string") {
        problems.push(`${at(`volumes[${i}]`)}: ${m}`);
        return;
      }
      if (m.type === "volume") {
        if (!(m.source in declaredVolumes))
          problems.push(`${at(`volumes[${i}]`)}: volume '${m.source}' is not declared under top-level 'volumes'`);
        usedVolumes.add(m.source);
      }
      mounts.push(m);
    });
    for (const t of s.tmpfs === undefined ? [] : typeof s.tmpfs === "string" ? [s.tmpfs] : s.tmpfs) {
      const [target, options = ""] = t.split(/:(.*)/s);
      mounts.push({ type: "tmpfs", target: target!, options });
    }

    const dependsOn: Record<string, { condition: DependsOnCondition }> = {};
    if (Array.isArray(s.depends_on)) for (const d of s.depends_on) dependsOn[d] = { condition: "service_started" };
    else if (s.depends_on) {
      for (const [d, cfg] of Object.entries(s.depends_on)) {
        const target = rawServices[d];
        if (cfg.required === false && (!target || !enabled(target))) continue;
        dependsOn[d] = { condition: cfg.condition ?? "service_started" };
      }
    }
    for (const d of Object.keys(dependsOn)) {
      const target = rawServices[d];
      if (!target) problems.push(`${at("depends_on")}: unknown service '${d}'`);
      else if (!enabled(target))
        problems.push(
          `${at("depends_on")}: service '${d}' is not enabled (its profiles: ${target.profiles?.join(", ")})`,
        );
    }

    let healthcheck: HealthcheckModel | undefined;
    if (s.healthcheck) {
      const h = s.healthcheck;
      if (h.disable) healthcheck = { test: ["NONE"] };
      else {
        const test = h.test === undefined ? undefined : typeof h.test === "string" ? ["CMD-SHELL", h.test] : h.test;
        if (test && !["CMD", "CMD-SHELL", "NONE"].includes(test[0] ?? "")) {
          problems.push(`${at("healthcheck.test")}: must start with "CMD", "CMD-SHELL" or "NONE"`);
        }
        const ms = (
          key: "interval" | "timeout" | "start_period",
          v: string | number | undefined,
        ): number | undefined => {
          if (v === undefined) return undefined;
          const out = parseComposeDurationMs(v);
          if (out === undefined)
            problems.push(`${at(`healthcheck.${key}`)}: '${v}' is not a duration (e.g. 5s, 1m30s)`);
          return out;
        };
        healthcheck = {
          test: test ?? [],
          ...opt("intervalMs", ms("interval", h.interval)),
          ...opt("timeoutMs", ms("timeout", h.timeout)),
          ...opt("startPeriodMs", ms("start_period", h.start_period)),
          ...opt("retries", h.retries),
        };
        if (test === undefined)
          problems.push(`${at("healthcheck.test")}: missing (the harness does not inherit a partial healthcheck)`);
      }
    }

    const split = (key: string, v: string | string[] | undefined): string[] | undefined => {
      if (v === undefined || Array.isArray(v)) return v;
      const words = splitShellWords(v);
      if (!words) problems.push(`${at(key)}: unclosed quote`);
      return words;
    };

    let stopGracePeriodMs: number | undefined;
    if (s.stop_grace_period !== undefined) {
      stopGracePeriodMs = parseComposeDurationMs(s.stop_grace_period);
      if (stopGracePeriodMs === undefined)
        problems.push(`${at("stop_grace_period")}: '${s.stop_grace_period}' is not a duration`);
    }
    let shmSizeBytes: number | undefined;
    if (s.shm_size !== undefined) {
      shmSizeBytes = parseByteSize(s.shm_size);
      if (shmSizeBytes === undefined) problems.push(`${at("shm_size")}: '${s.shm_size}' is not a size (e.g. 64m)`);
    }
    let memLimitBytes: number | undefined;
    if (s.mem_limit !== undefined) {
      memLimitBytes = parseByteSize(s.mem_limit);
      if (memLimitBytes === undefined) problems.push(`${at("mem_limit")}: '${s.mem_limit}' is not a size (e.g. 256m)`);
    }
    let cpus: number | undefined;
    if (s.cpus !== undefined) {
      cpus = Number(s.cpus);
      if (!Number.isFinite(cpus) || cpus <= 0)
        problems.push(`${at("cpus")}: '${s.cpus}' is not a positive number of CPUs`);
    }
    const ulimits =
      s.ulimits === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(s.ulimits).map(([k, v]) => [k, typeof v === "number" ? { soft: v, hard: v } : v]),
          );
    const extraHosts =
      s.extra_hosts === undefined
        ? undefined
        : Array.isArray(s.extra_hosts)
          ? s.extra_hosts.map((h) => h.replace("=", ":"))
          : Object.entries(s.extra_hosts).map(([h, ip]) => `${h}:${String(ip)}`);

    services[name] = {
      name,
      image,
      ...opt("build", build),
      ...opt("command", split("command", s.command)),
      ...opt("entrypoint", split("entrypoint", s.entrypoint)),
      environment,
      ports,
      networks,
      mounts,
      dependsOn,
      ...opt("healthcheck", healthcheck),
      labels: toMap(s.labels as Record<string, unknown> | string[] | undefined),
      profiles: s.profiles ?? [],
      ...opt("restart", s.restart),
      ...opt("hostname", s.hostname),
      ...opt("user", s.user === undefined ? undefined : String(s.user)),
      ...opt("workingDir", s.working_dir),
      ...opt("stopSignal", s.stop_signal),
      ...opt("stopGracePeriodMs", stopGracePeriodMs),
      ...opt("capAdd", s.cap_add),
      ...opt("capDrop", s.cap_drop),
      ...opt("init", s.init),
      ...opt("privileged", s.privileged),
      ...opt("extraHosts", extraHosts),
      ...opt("shmSizeBytes", shmSizeBytes),
      ...opt("memLimitBytes", memLimitBytes),
      ...opt("cpus", cpus),
      ...opt("ulimits", ulimits),
      ...opt("sysctls", s.sysctls === undefined ? undefined : toMap(s.sysctls as Record<string, unknown> | string[])),
    };
  }

  // Several services may share one image name; they must then share one build.
  const builders = new Map<string, { service: string; key: string }>();
  for (const s of Object.values(services)) {
    if (!s.build) continue;
    const key = JSON.stringify(s.build);
    const first = builders.get(s.image);
    if (!first) builders.set(s.image, { service: s.name, key });
    else if (first.key !== key)
      problems.push(
        `service '${s.name}': key 'build': image '${s.image}' is also built by service '${first.service}' with a different build`,
      );
  }

  const startOrder = problems.length === 0 ? topoSort(services, problems) : [];
  if (problems.length > 0) throw invalidAll(shown, problems);

  const networks: Record<string, NetworkModel> = {};
  for (const n of usedNetworks) {
    const cfg = declaredNetworks[n] ?? null;
    networks[n] = {
      ...opt("driver", cfg?.driver),
      internal: cfg?.internal ?? false,
      labels: toMap(cfg?.labels as Record<string, unknown> | string[] | undefined),
    };
  }
  const volumes: Record<string, VolumeModel> = {};
  for (const v of usedVolumes) {
    const cfg = declaredVolumes[v] ?? null;
    volumes[v] = {
      ...opt("driver", cfg?.driver),
      labels: toMap(cfg?.labels as Record<string, unknown> | string[] | undefined),
    };
  }
  return { file, dir, project, services, networks, volumes, startOrder };
}

/** `{key: value}` when value is defined, else `{}` (keeps optional properties absent). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Compose port syntax, bound to 127.0.0.1: "8080", "0:8080", "18080:8080", "127.0.0.1:18080:8080/udp", or long form. */
export function parsePort(
  p:
    | number
    | string
    | { target: number | string; published?: number | string; host_ip?: string; protocol?: "tcp" | "udp" },
): PortModel | string {
  let hostIp: string | undefined;
  let published: string | undefined;
  let target: string;
  let protocol: "tcp" | "udp" = "tcp";
  if (typeof p === "number") target = String(p);
  else if (typeof p === "string") {
    let spec = p.trim();
    const slash = spec.lastIndexOf("/");
    if (slash !== -1) {
      const proto = spec.slice(slash + 1);
      if (proto !== "tcp" && proto !== "udp") return `protocol '${proto}' is not tcp or udp`;
      protocol = proto;
      spec = spec.slice(0, slash);
    }
    const parts = spec.split(":");
    if (parts.length === 1) target = parts[0]!;
    else if (parts.length === 2) [published, target] = parts as [string, string];
    else if (parts.length === 3) [hostIp, published, target] = parts as [string, string, string];
    else return `'${p}' is not a port mapping (e.g. "8080", "0:8080", "18080:8080")`;
  } else {
    target = String(p.target);
    published = p.published === undefined ? undefined : String(p.published);
    hostIp = p.host_ip;
    protocol = p.protocol ?? "tcp";
  }
  if (hostIp !== undefined && hostIp !== "" && hostIp !== "127.0.0.1" && hostIp !== "localhost") {
    return `host address ${hostIp} is not allowed: published ports bind 127.0.0.1 only`;
  }
  if (target.includes("-") || published?.includes("-")) return "port ranges are not supported";
  const containerPort = Number(target);
  const hostPort = published === undefined || published === "" ? 0 : Number(published);
  if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535)
    return `container port '${target}' is not a port number`;
  if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535)
    return `host port '${published}' is not a port number`;
  return { containerPort, protocol, hostPort };
}

function parseMount(
  v:
    | string
    | {
        type: "volume" | "bind" | "tmpfs";
        source?: string;
        target: string;
        read_only?: boolean;
        tmpfs?: { size?: number | string };
      },
  dir: string,
): MountModel | string {
  if (typeof v !== "string") {
    if (v.type === "tmpfs") {
      const size = v.tmpfs?.size === undefined ? undefined : parseByteSize(v.tmpfs.size);
      return { type: "tmpfs", target: v.target, options: size === undefined ? "" : `size=${size}` };
    }
    if (!v.source) return `a ${v.type} mount needs 'source'`;
    if (v.type === "bind")
      return { type: "bind", source: path.resolve(dir, v.source), target: v.target, readOnly: v.read_only ?? false };
    return { type: "volume", source: v.source, target: v.target, readOnly: v.read_only ?? false };
  }
  const parts = v.split(":");
  if (parts.length === 1) return "anonymous volumes are not supported: name the volume (name:/path) and declare it";
  const [source, target, mode = "rw"] = parts as [string, string, string?];
  if (parts.length > 3 || !target?.startsWith("/")) return `'${v}' is not source:target[:ro|rw]`;
  if (mode !== "ro" && mode !== "rw") return `mode '${mode}' is not ro or rw`;
  const readOnly = mode === "ro";
  if (source.startsWith(".") || source.startsWith("/") || source.startsWith("~")) {
    const hostPath = source.startsWith("~")
      ? path.join(process.env.HOME ?? "/", source.slice(1))
      : path.resolve(dir, source);
    return { type: "bind", source: hostPath, target, readOnly };
  }
  return { type: "volume", source, target, readOnly };
}

/** Dependencies first; a cycle is a problem naming the services in it. */
function topoSort(services: Record<string, ServiceModel>, problems: string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, trail: string[]): void => {
    const st = state.get(name);
    if (st === "done") return;
    if (st === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      problems.push(`service '${name}': key 'depends_on': dependency cycle ${cycle.join(" -> ")}`);
      return;
    }
    state.set(name, "visiting");
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) visit(dep, [...trail, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return order;
}
