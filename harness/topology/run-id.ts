import { randomBytes } from "node:crypto";

/** A run id: `r<yyyymmdd-hhmmss>-<4 hex>` in UTC, e.g. `r20250102-150405-a1b2`. */
export function newRunId(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `r${stamp}-${randomBytes(2).toString("hex")}`;
}

/** Docker object names: `<project>-<runId>-<name>`. */
export function objectName(project: string, runId: string, name: string): string {
  return `${project}-${runId}-${name}`;
}
