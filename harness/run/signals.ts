/**
 * SIGINT / SIGTERM during a run abort it (the run then reverts faults, removes containers and
 * writes a partial report); a second signal while cleaning up is ignored so cleanup can finish,
 * and a third exits at once.
 */
export interface SignalGuard extends Disposable {
  readonly signal: AbortSignal;
  /** The signal that aborted the run, if any. */
  readonly received: NodeJS.Signals | undefined;
}

export function guardSignals(onSignal?: (signal: NodeJS.Signals, count: number) => void): SignalGuard {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    received ??= sig;
    onSignal?.(sig, count);
    if (count === 1) controller.abort(new Error(`interrupted by ${sig}`));
    else if (count >= 3) process.exit(130);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    [Symbol.dispose]() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
