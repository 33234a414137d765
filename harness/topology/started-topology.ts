import { HarnessError } from "../errors.ts";
import type { ComposeModel } from "./compose/model.ts";
import { down } from "./down.ts";
import type { RunContainer, ServiceContainer } from "./service-container.ts";

/** A published container port, on the loopback address. */
export interface Endpoint {
  host: "127.0.0.1";
  port: number;
  /** `http://127.0.0.1:<port><path>`; path default "/". */
  url(path?: string): string;
}

/** A running topology: its services' containers and published ports. Disposing it runs down(). */
export interface StartedTopology extends AsyncDisposable {
  readonly runId: string;
  readonly project: string;
  readonly model: ComposeModel;
  /** Service names in start order. */
  services(): string[];
  /** The published host address of a service's container port: always 127.0.0.1. */
  endpoint(service: string, containerPort: number, protocol?: "tcp" | "udp"): Endpoint;
  container(service: string): ServiceContainer;
  /** Every container of a service (one per service today). */
  containers(service: string): ServiceContainer[];
  /** Remove the run's containers, networks and volumes, saving logs first. Idempotent. */
  down(): Promise<void>;
}

export class RunningTopology implements StartedTopology {
  private downing: Promise<void> | undefined;

  constructor(
    readonly runId: string,
    readonly project: string,
    readonly model: ComposeModel,
    private readonly byService: Map<string, RunContainer>,
    private readonly reportsDir: string,
  ) {}

  services(): string[] {
    return this.model.startOrder.filter((s) => this.byService.has(s));
  }

  endpoint(service: string, containerPort: number, protocol: "tcp" | "udp" = "tcp"): Endpoint {
    const c = this.runContainer(service);
    const port = c.ports[`${containerPort}/${protocol}`];
    if (port === undefined) {
      const published = Object.keys(c.ports).join(", ") || "none";
      throw new HarnessError(
        "HARNESS_CONFIG_INVALID",
        `service '${service}' does not publish container port ${containerPort}/${protocol} (published: ${published})`,
        {
          hint: `add ports: ["${containerPort}"] to service '${service}' in ${this.model.file}`,
        },
      );
    }
    return {
      host: "127.0.0.1",
      port,
      url: (path = "/") => `http://127.0.0.1:${port}${path.startsWith("/") ? path : `/${path}`}`,
    };
  }

  container(service: string): ServiceContainer {
    return this.runContainer(service);
  }

  containers(service: string): ServiceContainer[] {
    return [this.runContainer(service)];
  }

  down(): Promise<void> {
    this.downing ??= down({ runId: this.runId, reportsDir: this.reportsDir }).then(
      () => undefined,
      (error: unknown) => {
        // A failed down may be retried.
        this.downing = undefined;
        throw error;
      },
    );
    return this.downing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }

  private runContainer(service: string): RunContainer {
    const c = this.byService.get(service);
    if (!c) {
      throw new HarnessError("HARNESS_CONTAINER_NOT_FOUND", `no service '${service}' in run ${this.runId}`, {
        hint: `services: ${this.services().join(", ")}`,
      });
    }
    return c;
  }
}
