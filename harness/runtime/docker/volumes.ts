import { dockerClient, dockerError } from "./client.ts";

/** Create a named local volume; returns its name. */
export async function createVolume(name: string, labels: Record<string, string>, driver = "local"): Promise<string> {
  try {
    const vol = await dockerClient().createVolume({ Name: name, Driver: driver, Labels: labels });
    return (vol as { name?: string; Name?: string }).Name ?? (vol as { name?: string }).name ?? name;
  } catch (cause) {
    throw dockerError(`creating volume ${name}`, cause);
  }
}

/** Remove a volume; a volume already gone is not an error. */
export async function removeVolume(name: string): Promise<void> {
  try {
    await dockerClient().getVolume(name).remove({ force: true });
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return;
    throw dockerError(`removing volume ${name}`, cause);
  }
}
