import { HarnessError } from "../errors.ts";
import {
  type ContainerState,
  connectNetwork,
  disconnectNetwork,
  execInContainer,
  inspectContainer,
  killContainer,
  pauseContainer,
  restartContainer,
  startContainer,
  stopContainer,
  unpauseContainer,
} from "../runtime/docker/index.ts";

/** What inspect() tells about a service's container. */
export interface ServiceContainerState {
  /** Docker's status word: created, running, paused, restarting, exited, dead. */
  status: string;
  running: boolean;
  paused: boolean;
  health?: "starting" | "healthy" | "unhealthy";
  /** Set once the container is not running. */
  exitCode?: number;
  /** Compose network name -> IPv4 address. */
  ipAddress?: Record<string, string>;
}

/** One service's container, with the operations the fault layer uses. */
export interface ServiceContainer {
  readonly service: string;
  readonly id: string;
  readonly name: string;
  /** Send a signal; default SIGKILL. */
  kill(signal?: string): Promise<void>;
  /** Stop signal, then SIGKILL after timeoutS (default: the service's stop_grace_period or 10 s). */
  stop(timeoutS?: number): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Run a command inside; timeoutMs default 30000. */
  exec(cmd: string[], opts?: { timeoutMs?: number }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  inspect(): Promise<ServiceContainerState>;
  /** Cut the container off a compose network (by its compose name, e.g. "default"). */
  disconnect(network: string): Promise<void>;
  /** Join a compose network again, with the service name and its aliases. */
  connect(network: string): Promise<void>;
}

export interface ServiceNetwork {
  /** Docker network name. */
  dockerName: string;
  aliases: string[];
}

/** A service's container bound to its run: network names translated, published ports tracked. */
export class RunContainer implements ServiceContainer {
  /** "8080/tcp" -> host port; refreshed after start/restart (Docker may pick new ephemeral ports). */
  ports: Record<string, number> = {};

  constructor(
    readonly service: string,
    readonly id: string,
    readonly name: string,
    /** Compose network name -> its Docker name and this service's aliases on it. */
    private readonly networks: Record<string, ServiceNetwork>,
    private readonly runNetworks: Record<string, string>,
  ) {}

  async kill(signal = "SIGKILL"): Promise<void> {
    await killContainer(this.id, signal);
  }

  async stop(timeoutS?: number): Promise<void> {
    await stopContainer(this.id, timeoutS);
  }

  async start(): Promise<void> {
    await startContainer(this.id, `service '${this.service}'`);
    await this.refreshPorts();
  }

  async restart(): Promise<void> {
    await restartContainer(this.id);
    await this.refreshPorts();
  }

  async pause(): Promise<void> {
    await pauseContainer(this.id);
  }

  async unpause(): Promise<void> {
    await unpauseContainer(this.id);
  }

  exec(
    cmd: string[],
    opts: { timeoutMs?: number } = {},
  ): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return execInContainer(this.id, cmd, opts.timeoutMs);
  }

  async inspect(): Promise<ServiceContainerState> {
    return this.toState(await inspectContainer(this.id));
  }

  async disconnect(network: string): Promise<void> {
    await disconnectNetwork(this.id, this.dockerNetwork(network).dockerName);
    await this.refreshPorts();
  }

  async connect(network: string): Promise<void> {
    const net = this.dockerNetwork(network);
    await connectNetwork(this.id, net.dockerName, net.aliases);
    // Docker may publish the ports again on new host ports when a network comes back.
    await this.refreshPorts();
  }

  /** Re-read the published ports (ephemeral host ports can change when a container starts again). */
  async refreshPorts(): Promise<void> {
    const state = await inspectContainer(this.id);
    if (Object.keys(state.ports).length > 0 || !state.running) this.ports = state.ports;
  }

  private dockerNetwork(network: string): ServiceNetwork {
    const own = this.networks[network];
    if (own) return own;
    const dockerName = this.runNetworks[network];
    if (dockerName) return { dockerName, aliases: [this.service] };
    const byDockerName = Object.values(this.networks).find((n) => n.dockerName === network);
    if (byDockerName) return byDockerName;
    throw new HarnessError("HARNESS_CONFIG_INVALID", `service '${this.service}': no network '${network}' in this run`, {
      hint: `use one of: ${Object.keys(this.runNetworks).join(", ")}`,
    });
  }

  private toState(s: ContainerState): ServiceContainerState {
    const byDocker = new Map(Object.entries(this.runNetworks).map(([compose, docker]) => [docker, compose]));
    const ipAddress: Record<string, string> = {};
    for (const [net, ip] of Object.entries(s.ipAddress)) ipAddress[byDocker.get(net) ?? net] = ip;
    const out: ServiceContainerState = { status: s.status, running: s.running, paused: s.paused, ipAddress };
    if (s.health) out.health = s.health;
    if (s.exitCode !== undefined) out.exitCode = s.exitCode;
    return out;
  }
}
