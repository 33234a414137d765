import { afterAll, describe, expect, it } from "vitest";
import { dockerClient, pingDocker } from "./client.ts";
import { createNetwork, removeNetwork } from "./networks.ts";

const dockerUp = await pingDocker().then(
  () => true,
  () => false,
);
const suite = dockerUp || process.env.HARNESS_REQUIRE_DOCKER === "1" ? describe : describe.skip;
const runLabel = `networks-test-${process.pid}`;

suite("removeNetwork against real Docker", () => {
  const containers: string[] = [];
  afterAll(async () => {
    for (const id of containers)
      await dockerClient()
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it("removes a network a container is still attached to (disconnects it first) and leaves the container running", async () => {
    const name = `harness-test-net-${process.pid}`;
    const id = await createNetwork({ name, labels: { "io.harness.run": runLabel } });
    const container = await dockerClient().createContainer({
      Image: "debian:bookworm-slim",
      Cmd: ["sleep", "60"],
      Labels: { "io.harness.run": runLabel },
      HostConfig: { NetworkMode: name },
    });
    containers.push(container.id);
    await container.start();
    // Docker alone refuses: the network has an active endpoint.
    await expect(dockerClient().getNetwork(id).remove()).rejects.toThrow(/active endpoints/);

    const started = performance.now();
    await removeNetwork(id);
    console.log(`network with an attached container removed in ${(performance.now() - started).toFixed(0)} ms`);
    await expect(dockerClient().getNetwork(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await container.inspect()).State.Running).toBe(true);
  });

  it("treats a network that is already gone as removed", async () => {
    await expect(removeNetwork(`harness-test-no-such-net-${process.pid}`)).resolves.toBeUndefined();
  });
});
