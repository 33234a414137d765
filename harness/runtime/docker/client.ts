import Docker from "dockerode";
import { HarnessError } from "../../errors.ts";

/** The hint every "Docker is not there" error carries. */
export const dockerSetupHint = "run scripts/setup-docker.sh (or start dockerd)";

export type DockerClient = Docker;

let shared: Docker | undefined;

/** The process-wide Docker client (DOCKER_HOST honoured, default socket otherwise). */
export function dockerClient(): Docker {
  shared ??= new Docker();
  return shared;
}

/** Where the client connects, for messages. */
export function dockerHostDescription(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

const unreachableCodes = new Set([
  "ENOENT",
  "ECONNREFUSED",
  "EACCES",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EPIPE",
]);

/** True for errors that mean "no daemon answered" rather than "the daemon said no". */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && unreachableCodes.has(code);
}

/**
 * Ping the daemon; throws HARNESS_DOCKER_UNREACHABLE (exit 3) when it does not answer.
 * @param timeoutMs give up after this long; default 5000
 */
export async function pingDocker(
  docker: Docker = dockerClient(),
  timeoutMs = 5000,
): Promise<{ version: string; apiVersion: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error("ping timed out"), { code: "ETIMEDOUT" })), timeoutMs);
    });
    await Promise.race([docker.ping(), timeout]);
    const v = (await Promise.race([docker.version(), timeout])) as { Version: string; ApiVersion: string };
    return { version: v.Version, apiVersion: v.ApiVersion };
  } catch (error) {
    throw unreachable(error);
  } finally {
    clearTimeout(timer);
  }
}

function unreachable(cause: unknown): HarnessError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new HarnessError("HARNESS_DOCKER_UNREACHABLE", `Docker is unreachable at ${dockerHostDescription()}: ${why}`, {
    hint: dockerSetupHint,
    cause,
  });
}

/**
 * Map a dockerode failure to a HarnessError: unreachable daemon, missing object, or a Docker refusal
 * quoting the daemon's message. HarnessErrors pass through unchanged.
 */
export function dockerError(what: string, cause: unknown): HarnessError {
  if (cause instanceof HarnessError) return cause;
  if (isUnreachable(cause)) return unreachable(cause);
  const status = (cause as { statusCode?: number } | null)?.statusCode;
  const message = daemonMessage(cause);
  if (status === 404) {
    return new HarnessError("HARNESS_CONTAINER_NOT_FOUND", `${what}: not found (${message})`, {
      hint: "the object was removed; run 'harness ps' to see what is running",
      cause,
    });
  }
  return new HarnessError("HARNESS_DOCKER_FAILED", `${what}: ${message}`, {
    hint: "see 'docker info' and the daemon log",
    cause,
  });
}

/** The daemon's own message ("json.message") when there is one, else the error text. */
export function daemonMessage(cause: unknown): string {
  const json = (cause as { json?: { message?: string } } | null)?.json;
  if (json && typeof json.message === "string") return json.message.trim();
  return cause instanceof Error ? cause.message.replace(/\s+/g, " ").trim() : String(cause);
}

/** What `docker info` says that the harness cares about. */
export interface DockerInfo {
  serverVersion: string;
  apiVersion: string;
  /** Where images and containers live on the daemon's host. */
  rootDir: string;
  storageDriver: string;
  cpus: number;
  memoryBytes: number;
}

/** Version and host facts of the daemon; throws HARNESS_DOCKER_UNREACHABLE when it does not answer. */
export async function dockerInfo(docker: Docker = dockerClient()): Promise<DockerInfo> {
  const { version, apiVersion } = await pingDocker(docker);
  try {
    const info = (await docker.info()) as { DockerRootDir?: string; Driver?: string; NCPU?: number; MemTotal?: number };
    return {
      serverVersion: version,
      apiVersion,
      rootDir: info.DockerRootDir ?? "",
      storageDriver: info.Driver ?? "",
      cpus: info.NCPU ?? 0,
      memoryBytes: info.MemTotal ?? 0,
    };
  } catch (cause) {
    throw dockerError("docker info", cause);
  }
}
