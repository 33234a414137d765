// The topology room's public surface: compose.yaml -> typed model -> health-ordered up; down and sweeps.

export { type LoadComposeOptions, loadCompose } from "./compose/load.ts";
export type {
  BuildModel,
  ComposeModel,
  DependsOnCondition,
  HealthcheckModel,
  MountModel,
  NetworkModel,
  PortModel,
  ServiceModel,
  VolumeModel,
} from "./compose/model.ts";
export { type CurrentRun, clearCurrentRun, currentRunFile, readCurrentRun, writeCurrentRun } from "./current-run.ts";
export { type DoctorCheck, type DoctorOptions, doctor } from "./doctor.ts";
export { type DownOptions, type DownResult, down, runExists, runObjects, sweepLeftovers } from "./down.ts";
export { ownerOfThisProcess, sweepOrphans } from "./orphans.ts";
export { ps, type ServiceStatus } from "./ps.ts";
export { newRunId } from "./run-id.ts";
export type { ServiceContainer, ServiceContainerState } from "./service-container.ts";
export type { Endpoint, StartedTopology } from "./started-topology.ts";
export { type ProgressEvent, type ServiceState, type UpOptions, up } from "./up.ts";
