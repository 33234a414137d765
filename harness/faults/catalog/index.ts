import { expireKeys } from "./expire-keys.ts";
import { kill } from "./kill.ts";
import { killLeader } from "./kill-leader.ts";
import { linkDown } from "./link-down.ts";
import { networkDisconnect } from "./network-disconnect.ts";
import { pause } from "./pause.ts";
import { restart } from "./restart.ts";
import { stop } from "./stop.ts";
import { bandwidth, latency, limitData, resetPeer, slicer, slowClose, timeout } from "./toxic.ts";

/** The fault catalog: `fault.latency({ link: "db_read", latencyMs: 3000 })`, `fault.killLeader({ members })`. */
export const fault = {
  latency,
  bandwidth,
  slowClose,
  timeout,
  resetPeer,
  slicer,
  limitData,
  linkDown,
  kill,
  stop,
  pause,
  restart,
  killLeader,
  networkDisconnect,
  expireKeys,
} as const;

export type FaultFactories = typeof fault;
