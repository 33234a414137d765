import { ParamReader } from "./params.ts";
import type { Check, CheckContext, CheckResult } from "./types.ts";

/**
 * `lost_writes` (count): acknowledged writes not readable after recovery, from the last
 * `verify` / `lost_writes` event (`{ acknowledged, lost, indeterminate, lostIds }`). Writes that
 * timed out are indeterminate, as Jepsen counts them: reported in `data.indeterminate`, never as lost.
 * Not measured when the verifier never reported (a run without its verify step proves nothing), when
 * nothing was acknowledged, or when no write was lost but some could not be read back (`unverified`).
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
      const unverified = typeof d.unverified === "number" ? d.unverified : 0;
      if (acknowledged === 0) return { measured: false, reason: "no write was acknowledged, so none could be lost" };
      // A read-back that failed proves nothing either way: with no lost write seen, it is not a pass.
      if (lost === 0 && unverified > 0) {
        return {
          measured: false,
          reason: `${unverified} acknowledged writes could not be read back (neither lost nor safe)`,
        };
      }
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
