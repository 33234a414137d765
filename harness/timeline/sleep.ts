/**
 * Wait `ms` on the real timer, or less when `signal` aborts (it resolves, never rejects). The
 * default `sleep` of every loop that takes one as a parameter (tests pass one that moves a
 * manual clock).
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
