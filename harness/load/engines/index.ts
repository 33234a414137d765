import { autocannonEngine } from "./autocannon.ts";
import type { EngineName, LoadEngine } from "./engine.ts";
import { nativeEngine } from "./native.ts";

export type { EngineName, LoadEngine, LoadResult, LoadRun, LoadSpec, StopReason } from "./engine.ts";

/** The catalogue: engine name -> engine. */
export const engines: Record<EngineName, LoadEngine> = {
  native: nativeEngine,
  autocannon: autocannonEngine,
};
