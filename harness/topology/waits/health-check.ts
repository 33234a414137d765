import { HarnessError } from "../../errors.ts";
import { type ContainerState, containerLogs, inspectContainer, lastLines } from "../../runtime/docker/index.ts";
import { pollIntervalMs, sleep } from "./poll.ts";

export interface WaitOptions {
  service: string;
  containerId: string;
  /** Give up after this long; default 120000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Lines of the service's log quoted in the error; default 20. */
  logLines?: number;
}

/**
 * Wait until Docker reports the container healthy (its compose or image healthcheck).
 * Fails fast, as Compose does, when it turns unhealthy or exits; the error names the service
 * and quotes the last lines of its log.
 */
export async function waitForHealthy(opts: WaitOptions): Promise<ContainerState> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await inspectContainer(opts.containerId);
    if (state.health === "healthy") return state;
    if (!state.hasHealthcheck) {
      throw await unhealthy(opts, state, "has no healthcheck to wait for (service_healthy needs one)");
    }
    if (state.health === "unhealthy") throw await unhealthy(opts, state, "is unhealthy");
    if (!state.running && !state.restarting) throw await unhealthy(opts, state, `exited with code ${state.exitCode}`);
    if (Date.now() >= deadline) throw await unhealthy(opts, state, `did not become healthy within ${timeoutMs} ms`);
    await sleep(pollIntervalMs, opts.signal);
  }
}

/** Wait until the container has exited with code 0 (service_completed_successfully). */
export async function waitForCompletion(opts: WaitOptions): Promise<ContainerState> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await inspectContainer(opts.containerId);
    if (!state.running && !state.restarting && state.finishedAt) {
      if (state.exitCode === 0) return state;
      throw await unhealthy(opts, state, `exited with code ${state.exitCode} (service_completed_successfully needs 0)`);
    }
    if (Date.now() >= deadline) throw await unhealthy(opts, state, `did not complete within ${timeoutMs} ms`);
    await sleep(pollIntervalMs, opts.signal);
  }
}

async function unhealthy(opts: WaitOptions, state: ContainerState, what: string): Promise<HarnessError> {
  let log = "";
  try {
    log = (await containerLogs(opts.containerId, { tail: 200 })) ?? "";
  } catch {
    log = "(log unavailable)";
  }
  const lines = lastLines(log, opts.logLines ?? 20);
  const probe = state.lastHealthOutput
    ? `; last health probe: ${state.lastHealthOutput.replace(/\s+/g, " ").slice(0, 300)}`
    : "";
  const oom = state.oomKilled ? "; killed by the OOM killer" : "";
  const tail =
    lines.length > 0
      ? `\nlast ${lines.length} log lines of '${opts.service}':\n${lines.map((l) => `  | ${l}`).join("\n")}`
      : `\n'${opts.service}' logged nothing`;
  return new HarnessError("HARNESS_TOPOLOGY_UNHEALTHY", `service '${opts.service}' ${what}${probe}${oom}${tail}`, {
    hint: `check its healthcheck and log (reports/<run>/logs/${opts.service}.log)`,
  });
}
