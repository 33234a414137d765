import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { HarnessError } from "../../errors.ts";
import { dockerClient, dockerError } from "./client.ts";
import { demuxDockerStream } from "./logs.ts";

/** A published port: always on 127.0.0.1; hostPort 0 means "any free port". */
export interface PortBinding {
  containerPort: number;
  protocol: "tcp" | "udp";
  hostPort: number;
}

export interface HealthcheckSpec {
  /** Docker form: ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  retries?: number;
}

/** What the harness asks Docker to create; a plain description, no dockerode types. */
export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname?: string;
  ports?: PortBinding[];
  /** Host path or named volume, container path, read-only. */
  mounts?: Array<{ type: "bind" | "volume"; source: string; target: string; readOnly: boolean }>;
  /** Container path -> tmpfs options ("size=64m"). */
  tmpfs?: Record<string, string>;
  healthcheck?: HealthcheckSpec;
  /** Docker network name and the DNS aliases on it; the first is the primary network. */
  networks: Array<{ name: string; aliases: string[] }>;
  restart?: "no" | "always" | "on-failure" | "unless-stopped";
  stopSignal?: string;
  stopTimeoutS?: number;
  capAdd?: string[];
  capDrop?: string[];
  init?: boolean;
  privileged?: boolean;
  extraHosts?: string[];
  shmSizeBytes?: number;
  memLimitBytes?: number;
  /** CPU quota in CPUs, e.g. 0.5. */
  cpus?: number;
  ulimits?: Record<string, { soft: number; hard: number }>;
  sysctls?: Record<string, string>;
}

/** A container's state as the harness reads it. */
export interface ContainerState {
  id: string;
  name: string;
  status: string;
  running: boolean;
  paused: boolean;
  health?: "starting" | "healthy" | "unhealthy";
  exitCode?: number;
  oomKilled: boolean;
  /** Docker network name -> IPv4 address. */
  ipAddress: Record<string, string>;
  /** "8080/tcp" -> host port on 127.0.0.1. */
  ports: Record<string, number>;
  startedAt?: string;
  finishedAt?: string;
  /** The image declares or the spec sets a healthcheck. */
  hasHealthcheck: boolean;
  /** Output of the latest health probe, when there is one. */
  lastHealthOutput?: string;
  /** Docker is restarting it (restart policy). */
  restarting: boolean;
  labels: Record<string, string>;
}

const msToNs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms * 1e6));

/** Create (not start) a container; joins every extra network with its aliases. Returns the id. */
export async function createContainer(spec: ContainerSpec): Promise<string> {
  const docker = dockerClient();
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of spec.ports ?? []) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    const list = bindings[key] ?? [];
    list.push({ HostIp: "127.0.0.1", HostPort: p.hostPort === 0 ? "" : String(p.hostPort) });
    bindings[key] = list;
  }
  const [primary, ...others] = spec.networks;
  const hc = spec.healthcheck;
  const options: Docker.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Tty: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      PortBindings: bindings,
      Mounts: (spec.mounts ?? []).map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly,
      })),
      Tmpfs: spec.tmpfs ?? {},
      RestartPolicy: { Name: spec.restart ?? "no" },
      NetworkMode: primary?.name ?? "none",
      ...(spec.capAdd ? { CapAdd: spec.capAdd } : {}),
      ...(spec.capDrop ? { CapDrop: spec.capDrop } : {}),
      ...(spec.init !== undefined ? { Init: spec.init } : {}),
      ...(spec.privileged ? { Privileged: true } : {}),
      ...(spec.extraHosts ? { ExtraHosts: spec.extraHosts } : {}),
      ...(spec.shmSizeBytes ? { ShmSize: spec.shmSizeBytes } : {}),
      ...(spec.memLimitBytes ? { Memory: spec.memLimitBytes } : {}),
      ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
      ...(spec.ulimits
        ? { Ulimits: Object.entries(spec.ulimits).map(([Name, l]) => ({ Name, Soft: l.soft, Hard: l.hard })) }
        : {}),
      ...(spec.sysctls ? { Sysctls: spec.sysctls } : {}),
    },
    ...(primary ? { NetworkingConfig: { EndpointsConfig: { [primary.name]: { Aliases: primary.aliases } } } } : {}),
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.hostname ? { Hostname: spec.hostname } : {}),
    ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
    ...(spec.stopTimeoutS !== undefined ? { StopTimeout: spec.stopTimeoutS } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: hc.test,
            Interval: msToNs(hc.intervalMs),
            Timeout: msToNs(hc.timeoutMs),
            StartPeriod: msToNs(hc.startPeriodMs),
            Retries: hc.retries,
          },
        }
      : {}),
  };
  let id: string;
  try {
    id = (await docker.createContainer(options)).id;
  } catch (cause) {
    throw dockerError(`creating container ${spec.name}`, cause);
  }
  for (const net of others) await connectNetwork(id, net.name, net.aliases);
  return id;
}

/** Start a container; a fixed host port already taken becomes HARNESS_PORT_IN_USE. */
export async function startContainer(id: string, what = id, ports: PortBinding[] = []): Promise<void> {
  try {
    await dockerClient().getContainer(id).start();
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 304) return;
    const text = String((cause as { json?: { message?: string } }).json?.message ?? (cause as Error).message ?? cause);
    if (/port is already allocated|address already in use/i.test(text)) {
      const fixed = ports.filter((p) => p.hostPort !== 0).map((p) => `127.0.0.1:${p.hostPort}`);
      const m = /:(\d+)\b(?!.*:\d+)/.exec(text.replace(/failed:.*$/i, ""));
      const port = m ? `127.0.0.1:${m[1]}` : fixed.join(", ");
      throw new HarnessError("HARNESS_PORT_IN_USE", `${what}: host port ${port} is already in use`, {
        hint: "free the port, or publish the container port without a host port for an ephemeral one",
        cause,
      });
    }
    throw dockerError(`starting ${what}`, cause);
  }
}

function container(id: string): Docker.Container {
  return dockerClient().getContainer(id);
}

/** Read a container's state. */
export async function inspectContainer(id: string): Promise<ContainerState> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await container(id).inspect();
  } catch (cause) {
    throw dockerError(`inspecting container ${id}`, cause);
  }
  const ipAddress: Record<string, string> = {};
  for (const [net, ep] of Object.entries(info.NetworkSettings?.Networks ?? {})) {
    if (ep?.IPAddress) ipAddress[net] = ep.IPAddress;
  }
  const ports: Record<string, number> = {};
  for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const b = (binds ?? []).find((x) => x.HostIp === "127.0.0.1") ?? binds?.[0];
    if (b?.HostPort) ports[key] = Number(b.HostPort);
  }
  const healthInfo = (
    info.State as { Health?: { Status?: string; Log?: Array<{ Output?: string; ExitCode?: number }> } }
  ).Health;
  const health = healthInfo?.Status;
  const lastProbe = healthInfo?.Log?.at(-1);
  const test = info.Config?.Healthcheck?.Test;
  const state: ContainerState = {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    status: info.State.Status,
    running: info.State.Running,
    paused: info.State.Paused,
    restarting: info.State.Restarting,
    oomKilled: info.State.OOMKilled,
    ipAddress,
    ports,
    hasHealthcheck: Array.isArray(test) && test.length > 0 && test[0] !== "NONE",
    labels: info.Config?.Labels ?? {},
  };
  if (lastProbe) state.lastHealthOutput = `exit ${lastProbe.ExitCode ?? "?"}: ${(lastProbe.Output ?? "").trim()}`;
  if (health === "starting" || health === "healthy" || health === "unhealthy") state.health = health;
  if (!info.State.Running) state.exitCode = info.State.ExitCode;
  if (info.State.StartedAt && !info.State.StartedAt.startsWith("0001")) state.startedAt = info.State.StartedAt;
  if (info.State.FinishedAt && !info.State.FinishedAt.startsWith("0001")) state.finishedAt = info.State.FinishedAt;
  return state;
}

/** Send a signal (default SIGKILL). */
export async function killContainer(id: string, signal = "SIGKILL"): Promise<void> {
  try {
    await container(id).kill({ signal });
  } catch (cause) {
    throw dockerError(`killing container ${id} with ${signal}`, cause);
  }
}

/** Stop gracefully: stop signal, then SIGKILL after timeoutS (default: the container's own, 10 s). */
export async function stopContainer(id: string, timeoutS?: number): Promise<void> {
  try {
    await container(id).stop(timeoutS === undefined ? {} : { t: timeoutS });
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 304) return;
    throw dockerError(`stopping container ${id}`, cause);
  }
}

export async function restartContainer(id: string, timeoutS?: number): Promise<void> {
  try {
    await container(id).restart(timeoutS === undefined ? {} : { t: timeoutS });
  } catch (cause) {
    throw dockerError(`restarting container ${id}`, cause);
  }
}

export async function pauseContainer(id: string): Promise<void> {
  try {
    await container(id).pause();
  } catch (cause) {
    throw dockerError(`pausing container ${id}`, cause);
  }
}

export async function unpauseContainer(id: string): Promise<void> {
  try {
    await container(id).unpause();
  } catch (cause) {
    throw dockerError(`unpausing container ${id}`, cause);
  }
}

/** Force-remove a container and its anonymous volumes; one already gone is not an error. */
export async function removeContainer(id: string): Promise<void> {
  try {
    await container(id).remove({ force: true, v: true });
  } catch (cause) {
    const status = (cause as { statusCode?: number }).statusCode;
    if (status === 404) return;
    // 409 "removal already in progress": someone else is removing it.
    if (status === 409) return;
    throw dockerError(`removing container ${id}`, cause);
  }
}

export async function connectNetwork(id: string, network: string, aliases: string[] = []): Promise<void> {
  try {
    await dockerClient()
      .getNetwork(network)
      .connect({ Container: id, EndpointConfig: { Aliases: aliases } });
  } catch (cause) {
    throw dockerError(`connecting container ${id} to network ${network}`, cause);
  }
}

export async function disconnectNetwork(id: string, network: string): Promise<void> {
  try {
    await dockerClient().getNetwork(network).disconnect({ Container: id, Force: true });
  } catch (cause) {
    throw dockerError(`disconnecting container ${id} from network ${network}`, cause);
  }
}

/** A container's log (stdout and stderr interleaved); `tail` limits it to the last lines, `timestamps` prefixes each with RFC 3339 time. */
export async function containerLogs(id: string, opts: { tail?: number; timestamps?: boolean } = {}): Promise<string> {
  try {
    const raw = (await container(id).logs({
      stdout: true,
      stderr: true,
      follow: false,
      timestamps: opts.timestamps ?? false,
      ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    })) as unknown as Buffer;
    return demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).combined;
  } catch (cause) {
    throw dockerError(`reading logs of container ${id}`, cause);
  }
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command in a running container and collect its output.
 * @param timeoutMs give up after this long (HARNESS_DOCKER_FAILED); default 30000
 */
export async function execInContainer(id: string, cmd: string[], timeoutMs = 30_000): Promise<ExecResult> {
  const docker = dockerClient();
  let exec: Docker.Exec;
  let stream: NodeJS.ReadWriteStream;
  try {
    exec = await container(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
    stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream;
  } catch (cause) {
    throw dockerError(`exec ${JSON.stringify(cmd)} in container ${id}`, cause);
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => err.push(b));
  docker.modem.demuxStream(stream, stdout, stderr);
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(
          new HarnessError(
            "HARNESS_DOCKER_FAILED",
            `exec ${JSON.stringify(cmd)} in container ${id} timed out after ${timeoutMs} ms`,
            {
              hint: "raise timeoutMs or check that the command ends",
            },
          ),
        );
      }, timeoutMs);
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", (e) => reject(e));
    });
  } finally {
    clearTimeout(timer);
  }
  let exitCode = -1;
  // The exec's exit code appears a moment after its stream ends.
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) {
      exitCode = info.ExitCode;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { exitCode, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}
