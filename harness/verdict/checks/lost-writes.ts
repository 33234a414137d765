import { ParamReader } from "./params.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/**
 * `lost_writes` (count): acknowledged writes not readable after recovery, from the last
 * `verify` / `lost_writes` event (`{ acknowledged, lost, indeterminate, lostIds }`). Writes that
 * timed out are indeterminate, as Jepsen counts them: reported in `data.indeterminate`, never as lost.
 * Not measured when the verifier never reported (a run without its verify step proves nothing).
 * Takes no params.
 */
export function lostWrites(params?: Readonly<Record<string, unknown>>): Check {
  new ParamReader("lost_writes", params).done();
  return {
    name: "lost_writes",
    measure(ctx: CheckContext): CheckResult {
      let last: (typeof ctx.timeline.events)[number] | undefined;
      for (const e of ctx.timeline.events) {
        if (e.kind === "verify" && e.name === "lost_writes" && e.atMs <= ctx.endMs) {
          if (!last || e.atMs >= last.atMs) last = e;
        }
      }
      if (!last) return { measured: false, reason: "the writes verifier never reported (no verify/lost_writes event)" };
      const d = last.data ?? {};
      const lost = d.lost;
      if (typeof lost !== "number" || !Number.isFinite(lost)) {
        return { measured: false, reason: "the verify/lost_writes event carries no lost count" };
      }
      const acknowledged = typeof d.acknowledged === "number" ? d.acknowledged : undefined;
      const indeterminate = typeof d.indeterminate === "number" ? d.indeterminate : 0;
      const lostIds = Array.isArray(d.lostIds) ? d.lostIds.slice(0, 20).map(String) : [];
      const of = acknowledged === undefined ? "" : ` of ${acknowledged} acknowledged`;
      const ids = lostIds.length > 0 ? ` (e.g. ${lostIds.slice(0, 5).join(", ")})` : "";
      return {
        measured: true,
        value: lost,
        unit: "count",
        detail: `${lost}${of} writes lost${ids}; ${indeterminate} indeterminate (timed out, not counted as lost)`,
        data: { acknowledged, lost, indeterminate, lostIds },
      };
    },
  };
}
