import { bandwidth } from "./bandwidth.ts";
import { latency } from "./latency.ts";
import { limitData } from "./limit-data.ts";
import { noop } from "./noop.ts";
import { resetPeer } from "./reset-peer.ts";
import { slicer } from "./slicer.ts";
import { slowClose } from "./slow-close.ts";
import { timeout } from "./timeout.ts";
import type { ToxicType } from "./toxic.ts";

/** Every toxic type by its API name. Adding a toxic is one file and one line here. */
export const toxicTypes: Readonly<Record<string, ToxicType>> = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
  noop,
};

export function findToxicType(name: string): ToxicType | undefined {
  return Object.hasOwn(toxicTypes, name) ? toxicTypes[name] : undefined;
}
