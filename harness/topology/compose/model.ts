/** A compose file after loading: interpolated, validated, normalised, profiles applied. */
export interface ComposeModel {
  /** Absolute path of the compose file. */
  readonly file: string;
  /** Directory relative paths resolve against. */
  readonly dir: string;
  /** Top-level `name:` or the file's directory name, lowercased. */
  readonly project: string;
  /** Enabled services only (profiles applied), by name. */
  readonly services: Readonly<Record<string, ServiceModel>>;
  /** Networks some enabled service uses ("default" when a service names none). */
  readonly networks: Readonly<Record<string, NetworkModel>>;
  /** Named volumes some enabled service mounts. */
  readonly volumes: Readonly<Record<string, VolumeModel>>;
  /** Service names so that each comes after everything it depends on. */
  readonly startOrder: readonly string[];
}

export interface NetworkModel {
  driver?: string;
  internal: boolean;
  labels: Record<string, string>;
}

export interface VolumeModel {
  driver?: string;
  labels: Record<string, string>;
}

export type DependsOnCondition = "service_started" | "service_healthy" | "service_completed_successfully";

export interface BuildModel {
  /** Absolute context directory. */
  context: string;
  /** Relative to the context; default "Dockerfile". */
  dockerfile: string;
  args: Record<string, string>;
}

export interface PortModel {
  containerPort: number;
  protocol: "tcp" | "udp";
  /** 0: an ephemeral host port on 127.0.0.1. */
  hostPort: number;
}

export type MountModel =
  | { type: "volume"; source: string; target: string; readOnly: boolean }
  | { type: "bind"; source: string; target: string; readOnly: boolean }
  | { type: "tmpfs"; target: string; options: string };

export interface HealthcheckModel {
  /** Docker form: ["CMD", ...] | ["CMD-SHELL", "..."] | ["NONE"]. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  retries?: number;
}

export interface ServiceModel {
  readonly name: string;
  /** The image to run: `image:`, or `<project>-<service>` for a build-only service. */
  readonly image: string;
  readonly build?: BuildModel;
  readonly command?: string[];
  readonly entrypoint?: string[];
  readonly environment: Record<string, string>;
  readonly ports: PortModel[];
  /** Network name -> extra aliases (the service name is always an alias). */
  readonly networks: Record<string, { aliases: string[] }>;
  readonly mounts: MountModel[];
  readonly dependsOn: Record<string, { condition: DependsOnCondition }>;
  readonly healthcheck?: HealthcheckModel;
  readonly labels: Record<string, string>;
  readonly profiles: string[];
  readonly restart?: "no" | "always" | "on-failure" | "unless-stopped";
  readonly hostname?: string;
  readonly user?: string;
  readonly workingDir?: string;
  readonly stopSignal?: string;
  readonly stopGracePeriodMs?: number;
  readonly capAdd?: string[];
  readonly capDrop?: string[];
  readonly init?: boolean;
  readonly privileged?: boolean;
  readonly extraHosts?: string[];
  readonly shmSizeBytes?: number;
  /** Memory limit (compose mem_limit). */
  readonly memLimitBytes?: number;
  /** CPU quota in CPUs (compose cpus), e.g. 0.5. */
  readonly cpus?: number;
  readonly ulimits?: Record<string, { soft: number; hard: number }>;
  readonly sysctls?: Record<string, string>;
}
