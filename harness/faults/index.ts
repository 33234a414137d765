export type { ExpireKeysOptions, HotnessRanking } from "./catalog/expire-keys.ts";
export { fault } from "./catalog/index.ts";
export type { KillOptions } from "./catalog/kill.ts";
export type { KillLeaderOptions } from "./catalog/kill-leader.ts";
export type { LinkDownOptions } from "./catalog/link-down.ts";
export type { NetworkDisconnectOptions } from "./catalog/network-disconnect.ts";
export type { PauseOptions } from "./catalog/pause.ts";
export type { RestartOptions } from "./catalog/restart.ts";
export type { StopOptions } from "./catalog/stop.ts";
export type {
  BandwidthOptions,
  LatencyOptions,
  LimitDataOptions,
  ResetPeerOptions,
  SlicerOptions,
  SlowCloseOptions,
  TimeoutOptions,
  ToxicOptions,
} from "./catalog/toxic.ts";
export { type ErrorRateSource, errorRateHeld, type HeldQuery, type HeldResult } from "./conditions.ts";
export {
  type Applied,
  assertValidFaults,
  BaseFault,
  type Fault,
  type FaultContainer,
  type FaultContext,
  type FaultProblem,
  type FaultTopology,
  type InjectedFault,
  type RevertReason,
} from "./fault.ts";
export {
  type Duration,
  FaultSchedule,
  type FaultScheduleOptions,
  type PlannedFault,
  type RecoveredCondition,
  type RevertWhen,
  type ScheduledFault,
  type ScheduledState,
  type StartPredicate,
  type SteadyCondition,
} from "./schedule.ts";
export { type ToxiproxyApi, toxiproxyApi } from "./toxiproxy-api.ts";
