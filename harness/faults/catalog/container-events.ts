import type { FaultContainer, FaultContext } from "../fault.ts";

/** The `container` event states faults write. */
export type ContainerState = "killed" | "stopped" | "started" | "paused" | "unpaused" | "restarted";

/** Record a container state change made by a fault, at the moment it took effect. */
export function containerEvent(ctx: FaultContext, service: string, state: ContainerState): void {
  ctx.timeline.event("container", service, { state, by: "fault" });
}

/** Start the service's container unless it already runs (a restart policy may have won the race); unpause if paused. */
export async function ensureRunning(ctx: FaultContext, container: FaultContainer): Promise<void> {
  const now = await container.inspect();
  if (now.paused) {
    await container.unpause();
    containerEvent(ctx, container.service, "unpaused");
    return;
  }
  if (now.running) return;
  await container.start();
  containerEvent(ctx, container.service, "started");
}
