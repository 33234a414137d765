import { containerState } from "./container-state.ts";
import { patroni } from "./patroni.ts";
import { prometheus } from "./prometheus.ts";
import { redisInfo } from "./redis-info.ts";

/** The probe catalog: `probe.patroni({ members: ["db1", "db2", "db3"] })`. */
export const probe = { prometheus, patroni, redisInfo, containerState } as const;

export { type ContainerStateOptions, ContainerStateProbe } from "./container-state.ts";
export { type PatroniOptions, PatroniProbe } from "./patroni.ts";
export { type ClusterReading, type PatroniCluster, type PatroniMember, readCluster } from "./patroni-api.ts";
export type { Probe, ProbeContext, ProbeTopology, Sampler } from "./probe.ts";
export { type PrometheusOptions, PrometheusProbe, type PrometheusTarget } from "./prometheus.ts";
export {
  type PromExposition,
  type PromFamily,
  PromParseError,
  type PromSample,
  type PromType,
  parsePrometheusText,
} from "./prometheus-text.ts";
export { type RedisInfoOptions, RedisInfoProbe } from "./redis-info.ts";
export { ProbeRunner, type ProbeRunnerOptions } from "./runner.ts";
