import { dockerClient, dockerError } from "./client.ts";

export interface NetworkSpec {
  name: string;
  labels: Record<string, string>;
  /** Default "bridge". */
  driver?: string;
  /** No route outside (compose `internal: true`). */
  internal?: boolean;
}

/** Create a network; returns its id. */
export async function createNetwork(spec: NetworkSpec): Promise<string> {
  try {
    const net = await dockerClient().createNetwork({
      Name: spec.name,
      Driver: spec.driver ?? "bridge",
      Internal: spec.internal ?? false,
      CheckDuplicate: true,
      Labels: spec.labels,
    });
    return net.id;
  } catch (cause) {
    throw dockerError(`creating network ${spec.name}`, cause);
  }
}

// Attempts at removing a network Docker says still has endpoints (about 3 s in all).
const activeEndpointAttempts = 5;

/**
 * Remove a network; a network already gone is not an error. When Docker answers that it still has
 * active endpoints (it can count a container removed a moment ago for a while), containers still
 * attached are disconnected with force and the removal is tried again, a bounded number of times.
 */
export async function removeNetwork(idOrName: string): Promise<void> {
  const network = dockerClient().getNetwork(idOrName);
  for (let attempt = 1; ; attempt++) {
    try {
      await network.remove();
      return;
    } catch (cause) {
      if ((cause as { statusCode?: number }).statusCode === 404) return;
      const busy = /active endpoints/.test(String((cause as Error).message));
      if (!busy || attempt >= activeEndpointAttempts) throw dockerError(`removing network ${idOrName}`, cause);
      await disconnectAll(network).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function disconnectAll(network: ReturnType<ReturnType<typeof dockerClient>["getNetwork"]>): Promise<void> {
  const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
  for (const container of Object.keys(info.Containers ?? {}))
    await network.disconnect({ Container: container, Force: true }).catch(() => undefined);
}
