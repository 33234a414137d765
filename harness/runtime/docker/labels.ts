/** Label keys on every container, network and volume the harness creates. */
export const Label = {
  run: "io.harness.run",
  project: "io.harness.project",
  service: "io.harness.service",
  /** Compose network or volume name the object stands for. */
  name: "io.harness.name",
  /**
   * `<hostname>:<pid>` of the harness process that owns a run's objects, or `detached` for a
   * topology started to outlive its process (`harness up`, `--keep`). A later run removes
   * objects whose owner on this host has died (a `kill -9` of the harness): see sweepOrphans.
   */
  owner: "io.harness.owner",
} as const;

/** The labels every object of one run carries. */
export function runLabels(runId: string, project: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, [Label.run]: runId, [Label.project]: project };
}

/** A Docker list filter for one run (or every run when runId is undefined). */
export function runFilter(runId?: string): { label: string[] } {
  return { label: [runId === undefined ? Label.run : `${Label.run}=${runId}`] };
}
