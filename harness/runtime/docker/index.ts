// The Docker room: the only place that imports dockerode. Everything above speaks these types.
export {
  type DockerInfo,
  dockerClient,
  dockerError,
  dockerHostDescription,
  dockerInfo,
  dockerSetupHint,
  isUnreachable,
  pingDocker,
} from "./client.ts";
export {
  type ContainerSpec,
  type ContainerState,
  connectNetwork,
  containerLogs,
  createContainer,
  disconnectNetwork,
  type ExecResult,
  execInContainer,
  type HealthcheckSpec,
  inspectContainer,
  killContainer,
  type PortBinding,
  pauseContainer,
  removeContainer,
  restartContainer,
  startContainer,
  stopContainer,
  unpauseContainer,
} from "./containers.ts";
export { contextFiles, parseDockerIgnore } from "./dockerignore.ts";
export {
  type BuildImageOptions,
  buildImage,
  contextDigest,
  contextDigestLabel,
  imageIdOf,
  imageInfo,
  pullImage,
  removeImage,
} from "./images.ts";
export { Label, runFilter, runLabels } from "./labels.ts";
export { demuxDockerStream, lastLines } from "./logs.ts";
export { createNetwork, type NetworkSpec, removeNetwork } from "./networks.ts";
export { pickFreePorts } from "./ports.ts";
export { listRunObjects, type RunObjects, removeRunObjects } from "./sweep.ts";
export { createVolume, removeVolume } from "./volumes.ts";
