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

/** Remove a network; a network already gone is not an error. */
export async function removeNetwork(idOrName: string): Promise<void> {
  try {
    await dockerClient().getNetwork(idOrName).remove();
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return;
    throw dockerError(`removing network ${idOrName}`, cause);
  }
}
