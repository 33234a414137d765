import { HarnessError, isHarnessError } from "../errors.ts";
import {
  buildImage,
  type ContainerSpec,
  createContainer,
  createNetwork,
  createVolume,
  imageIdOf,
  inspectContainer,
  Label,
  listRunObjects,
  type PortBinding,
  pickFreePorts,
  pingDocker,
  pullImage,
  removeContainer,
  removeNetwork,
  removeVolume,
  runLabels,
  startContainer,
} from "../runtime/docker/index.ts";
import { loadCompose } from "./compose/load.ts";
import type { ComposeModel, ServiceModel } from "./compose/model.ts";
import { saveLog } from "./down.ts";
import { ownerOfThisProcess } from "./orphans.ts";
import { newRunId, objectName } from "./run-id.ts";
import { RunContainer, type ServiceNetwork } from "./service-container.ts";
import { RunningTopology, type StartedTopology } from "./started-topology.ts";
import { waitForCompletion, waitForHealthy } from "./waits/health-check.ts";

/** A service's progress through `up`. */
export type ServiceState =
  | "building"
  | "built"
  | "creating"
  | "starting"
  | "waiting"
  | "healthy"
  | "started"
  | "failed";

export interface ProgressEvent {
  service: string;
  state: ServiceState;
  detail?: string;
}

export interface UpOptions {
  /** compose.yaml path (or a directory holding one). */
  file: string;
  /** Default: a new `r<yyyymmdd-hhmmss>-<4 hex>`. */
  runId?: string;
  profiles?: string[];
  /** Variables for `${VAR:-default}` interpolation; win over process.env. */
  env?: Record<string, string>;
  /** Default "reports"; container logs go to <reportsDir>/<runId>/logs/<service>.log. */
  reportsDir?: string;
  /** Per service wait for health (or completion); default 120000. */
  healthTimeoutMs?: number;
  onProgress?: (e: ProgressEvent) => void;
  /** Abort: tear down what was started, then throw HARNESS_INTERRUPTED. */
  signal?: AbortSignal;
  /**
   * The topology outlives this process (`harness up`): its objects are labelled `detached` and no
   * later run sweeps them as orphans. Default false: owned by this process (see sweepOrphans).
   */
  detached?: boolean;
}

/**
 * Start a compose topology: build images (once per image name), create the run's networks and
 * volumes, create and start containers in dependency order (honouring depends_on conditions),
 * and wait until every service with a healthcheck is healthy. A failed or aborted start removes
 * what it created (last first) and rethrows.
 */
export async function up(opts: UpOptions): Promise<StartedTopology> {
  const model = await loadCompose(opts.file, {
    ...(opts.profiles ? { profiles: opts.profiles } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  await pingDocker();
  const runId = opts.runId ?? newRunId();
  // A failed start sweeps by run label: it must never reach another live run with the same id.
  const existing = await listRunObjects(runId);
  if (existing.containers.length + existing.networks.length + existing.volumes.length > 0) {
    throw new HarnessError(
      "HARNESS_USAGE",
      `run id '${runId}' is already in use (${existing.containers.length} containers)`,
      {
        hint: `choose another --run-id, or remove it with 'harness down --run-id ${runId}'`,
      },
    );
  }
  const starter = new Starter(model, runId, opts);
  return await starter.run();
}

type Undo = { what: string; run: () => Promise<void> };

class Starter {
  private readonly undo: Undo[] = [];
  private readonly controller = new AbortController();
  private readonly containers = new Map<string, RunContainer>();
  private readonly started = new Map<string, Promise<RunContainer>>();
  private readonly healthy = new Map<string, Promise<void>>();
  private readonly completed = new Map<string, Promise<void>>();
  private readonly builds = new Map<string, Promise<void>>();
  private readonly dockerNetworks: Record<string, string> = {};
  private readonly reportsDir: string;
  private readonly healthTimeoutMs: number;

  constructor(
    private readonly model: ComposeModel,
    private readonly runId: string,
    private readonly opts: UpOptions,
  ) {
    this.reportsDir = opts.reportsDir ?? "reports";
    this.healthTimeoutMs = opts.healthTimeoutMs ?? 120_000;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private get owner(): string {
    return this.opts.detached ? "detached" : ownerOfThisProcess();
  }

  private emit(service: string, state: ServiceState, detail?: string): void {
    try {
      this.opts.onProgress?.(detail === undefined ? { service, state } : { service, state, detail });
    } catch {
      // A broken progress display must not break the run.
    }
  }

  private labels(extra: Record<string, string> = {}): Record<string, string> {
    return runLabels(this.runId, this.model.project, { ...extra, [Label.owner]: this.owner });
  }

  private checkAborted(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  async run(): Promise<StartedTopology> {
    const outer = this.opts.signal;
    const onOuterAbort = (): void => {
      this.controller.abort(
        new HarnessError("HARNESS_INTERRUPTED", `up of ${this.model.project} (run ${this.runId}) was interrupted`, {
          hint: "everything it started has been removed",
          cause: outer?.reason,
        }),
      );
    };
    if (outer?.aborted) onOuterAbort();
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    const all: Array<Promise<unknown>> = [];
    try {
      this.checkAborted();
      await this.createNetworks();
      await this.createVolumes();
      for (const name of this.model.startOrder) {
        const service = this.model.services[name]!;
        all.push(this.startService(service));
        all.push(this.settle(service));
      }
      // The first failure aborts the others; wait for every branch so nothing is created after cleanup.
      const results = await Promise.allSettled(all.map((p) => p.catch((e) => this.fail(e))));
      this.checkAborted();
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return new RunningTopology(this.runId, this.model.project, this.model, this.containers, this.reportsDir);
    } catch (error) {
      this.controller.abort(error);
      await Promise.allSettled(all);
      const reason = this.firstError ?? error;
      await this.teardown();
      throw reason;
    } finally {
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  private firstError: unknown;

  private fail(error: unknown): never {
    // Remember the root cause: later branches fail only because we aborted them.
    if (this.firstError === undefined) {
      this.firstError = this.signal.aborted && this.signal.reason !== undefined ? this.signal.reason : error;
    }
    if (!this.signal.aborted) this.controller.abort(error);
    throw error;
  }

  /** Undo in reverse order of creation, then sweep by label for anything a lost reply hid. */
  private async teardown(): Promise<void> {
    const problems: unknown[] = [];
    for (const step of this.undo.reverse()) {
      await step.run().catch((e) => problems.push(e));
    }
    try {
      const left = await listRunObjects(this.runId);
      for (const c of left.containers) await removeContainer(c.id).catch((e) => problems.push(e));
      for (const n of left.networks) await removeNetwork(n.id).catch((e) => problems.push(e));
      for (const v of left.volumes) await removeVolume(v.name).catch((e) => problems.push(e));
    } catch (e) {
      problems.push(e);
    }
    if (problems.length > 0 && this.firstError instanceof Error) {
      this.firstError.message += ` (and cleanup failed: ${problems.map((p) => (p instanceof Error ? p.message : String(p))).join("; ")})`;
    }
  }

  private async createNetworks(): Promise<void> {
    for (const [name, net] of Object.entries(this.model.networks)) {
      this.checkAborted();
      const dockerName = objectName(this.model.project, this.runId, name);
      const id = await createNetwork({
        name: dockerName,
        labels: this.labels({ ...net.labels, [Label.name]: name }),
        ...(net.driver ? { driver: net.driver } : {}),
        internal: net.internal,
      });
      this.undo.push({ what: `network ${dockerName}`, run: () => removeNetwork(id) });
      this.dockerNetworks[name] = dockerName;
    }
  }

  private async createVolumes(): Promise<void> {
    for (const [name, vol] of Object.entries(this.model.volumes)) {
      this.checkAborted();
      const dockerName = objectName(this.model.project, this.runId, name);
      await createVolume(dockerName, this.labels({ ...vol.labels, [Label.name]: name }), vol.driver);
      this.undo.push({ what: `volume ${dockerName}`, run: () => removeVolume(dockerName) });
    }
  }

  /** Build (once per image name) or make sure the image is local. */
  private ensureImage(service: ServiceModel): Promise<void> {
    let pending = this.builds.get(service.image);
    if (!pending) {
      pending = (async () => {
        if (service.build) {
          this.emit(service.name, "building", service.image);
          await buildImage({
            context: service.build.context,
            dockerfile: service.build.dockerfile,
            args: service.build.args,
            tag: service.image,
            labels: { [Label.project]: this.model.project },
            service: service.name,
            signal: this.signal,
            onLine: (line) => {
              if (line.startsWith("Step "))
                this.emit(service.name, "building", line.replace(/\s+/g, " ").slice(0, 100));
            },
          });
          this.emit(service.name, "built", service.image);
        } else if (!(await imageIdOf(service.image))) {
          this.emit(service.name, "building", `pulling ${service.image}`);
          await pullImage(service.image);
          this.emit(service.name, "built", service.image);
        }
      })();
      this.builds.set(service.image, pending);
    } else if (service.build) {
      this.emit(service.name, "building", `${service.image} (shared)`);
      pending = pending.then(() => this.emit(service.name, "built", service.image));
    }
    return pending;
  }

  private startService(service: ServiceModel): Promise<RunContainer> {
    let p = this.started.get(service.name);
    if (!p) {
      p = this.doStart(service).catch((e) => {
        this.emit(service.name, "failed", e instanceof Error ? e.message.split("\n")[0] : String(e));
        throw e;
      });
      this.started.set(service.name, p);
      // Errors surface through run(); avoid unhandled rejections from memoised branches.
      p.catch(() => {});
    }
    return p;
  }

  private async doStart(service: ServiceModel): Promise<RunContainer> {
    await this.ensureImage(service);
    this.checkAborted();
    const deps = Object.entries(service.dependsOn);
    if (deps.length > 0) {
      this.emit(
        service.name,
        "waiting",
        `for ${deps.map(([d, c]) => `${d} (${c.condition.replace("service_", "")})`).join(", ")}`,
      );
      await Promise.all(
        deps.map(async ([dep, { condition }]) => {
          const depService = this.model.services[dep]!;
          await this.startService(depService);
          if (condition === "service_healthy") await this.waitHealthy(depService);
          if (condition === "service_completed_successfully") await this.waitCompleted(depService);
        }),
      );
    }
    // Ephemeral ports are picked here and bound as fixed ones, so a restarted service keeps its address.
    for (let attempt = 1; ; attempt++) {
      this.checkAborted();
      this.emit(service.name, "creating");
      const spec = await this.containerSpec(service);
      const id = await createContainer(spec);
      const removal: Undo = {
        what: `container ${spec.name}`,
        run: async () => {
          await saveLog({ id, name: spec.name, labels: spec.labels, state: "" }, this.reportsDir).catch(
            () => undefined,
          );
          await removeContainer(id);
        },
      };
      this.undo.push(removal);
      const networks: Record<string, ServiceNetwork> = {};
      for (const [net, cfg] of Object.entries(service.networks)) {
        networks[net] = { dockerName: this.dockerNetworks[net]!, aliases: [service.name, ...cfg.aliases] };
      }
      const container = new RunContainer(service.name, id, spec.name, networks, this.dockerNetworks);
      this.containers.set(service.name, container);
      this.checkAborted();
      this.emit(service.name, "starting");
      try {
        await startContainer(id, `service '${service.name}'`, spec.ports);
      } catch (error) {
        // A port we picked was taken by someone else meanwhile: pick again (a fixed one from the file is the user's to fix).
        const picked = service.ports.some((p) => p.hostPort === 0);
        if (isHarnessError(error) && error.code === "HARNESS_PORT_IN_USE" && picked && attempt < 3) {
          await removeContainer(id);
          this.undo.splice(this.undo.indexOf(removal), 1);
          continue;
        }
        throw error;
      }
      await container.refreshPorts();
      return container;
    }
  }

  private waitHealthy(service: ServiceModel): Promise<void> {
    let p = this.healthy.get(service.name);
    if (!p) {
      p = (async () => {
        const c = await this.startService(service);
        this.emit(service.name, "waiting", "health");
        await waitForHealthy({
          service: service.name,
          containerId: c.id,
          timeoutMs: this.healthTimeoutMs,
          signal: this.signal,
        });
        this.emit(service.name, "healthy");
      })();
      this.healthy.set(service.name, p);
      p.catch(() => {});
    }
    return p;
  }

  private waitCompleted(service: ServiceModel): Promise<void> {
    let p = this.completed.get(service.name);
    if (!p) {
      p = (async () => {
        const c = await this.startService(service);
        await waitForCompletion({
          service: service.name,
          containerId: c.id,
          timeoutMs: this.healthTimeoutMs,
          signal: this.signal,
        });
      })();
      this.completed.set(service.name, p);
      p.catch(() => {});
    }
    return p;
  }

  /** A service is ready when healthy (if it has a healthcheck, compose's or its image's), else when started. */
  private async settle(service: ServiceModel): Promise<void> {
    const c = await this.startService(service);
    const state = await inspectContainer(c.id);
    if (state.hasHealthcheck) await this.waitHealthy(service);
    else this.emit(service.name, "started");
  }

  /** Fixed host ports as written; a free one chosen now for each ephemeral port. */
  private async pinPorts(service: ServiceModel): Promise<PortBinding[]> {
    const free = await pickFreePorts(service.ports.filter((p) => p.hostPort === 0).length);
    return service.ports.map((p) => (p.hostPort === 0 ? { ...p, hostPort: free.shift() ?? 0 } : p));
  }

  private async containerSpec(service: ServiceModel): Promise<ContainerSpec> {
    const name = objectName(this.model.project, this.runId, service.name);
    const networks = Object.entries(service.networks).map(([net, cfg]) => ({
      name: this.dockerNetworks[net]!,
      aliases: [service.name, ...cfg.aliases],
    }));
    const tmpfs: Record<string, string> = {};
    const mounts: NonNullable<ContainerSpec["mounts"]> = [];
    for (const m of service.mounts) {
      if (m.type === "tmpfs") tmpfs[m.target] = m.options;
      else if (m.type === "volume") {
        mounts.push({
          type: "volume",
          source: objectName(this.model.project, this.runId, m.source),
          target: m.target,
          readOnly: m.readOnly,
        });
      } else mounts.push(m);
    }
    const spec: ContainerSpec = {
      name,
      image: service.image,
      labels: this.labels({ ...service.labels, [Label.service]: service.name }),
      env: service.environment,
      ports: await this.pinPorts(service),
      mounts,
      tmpfs,
      networks,
    };
    if (service.command) spec.command = service.command;
    if (service.entrypoint) spec.entrypoint = service.entrypoint;
    if (service.healthcheck) spec.healthcheck = service.healthcheck;
    if (service.restart) spec.restart = service.restart;
    if (service.hostname) spec.hostname = service.hostname;
    if (service.user) spec.user = service.user;
    if (service.workingDir) spec.workingDir = service.workingDir;
    if (service.stopSignal) spec.stopSignal = service.stopSignal;
    if (service.stopGracePeriodMs !== undefined) spec.stopTimeoutS = Math.ceil(service.stopGracePeriodMs / 1000);
    if (service.capAdd) spec.capAdd = service.capAdd;
    if (service.capDrop) spec.capDrop = service.capDrop;
    if (service.init !== undefined) spec.init = service.init;
    if (service.privileged) spec.privileged = service.privileged;
    if (service.extraHosts) spec.extraHosts = service.extraHosts;
    if (service.shmSizeBytes) spec.shmSizeBytes = service.shmSizeBytes;
    if (service.memLimitBytes) spec.memLimitBytes = service.memLimitBytes;
    if (service.cpus) spec.cpus = service.cpus;
    if (service.ulimits) spec.ulimits = service.ulimits;
    if (service.sysctls) spec.sysctls = service.sysctls;
    return spec;
  }
}
