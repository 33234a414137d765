/** One JSON object per line on stdout: what `docker logs` and the harness's log capture read. */
export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })}\n`);
}

/** The message of anything thrown, for a log line (never a stack trace for an expected failure). */
export function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorText(err.errors[0]);
  if (err instanceof Error)
    return (err as { code?: string }).code ? `${err.message} (${(err as { code?: string }).code})` : err.message;
  return String(err);
}
