import { breakerOpenTime } from "./breaker-open-time.ts";
import { errorBudgetBurn } from "./error-budget-burn.ts";
import { failFastP99 } from "./fail-fast-p99.ts";
import { failoverTime } from "./failover-time.ts";
import { lostWrites } from "./lost-writes.ts";
import { recoveryTime } from "./recovery-time.ts";
import { stampedeDbQueries } from "./stampede-db-queries.ts";
import type { CheckFactory } from "./types.ts";

/** Resilience checks by the metric name a threshold uses (`recovery_time: ['value<30s']`). */
export const checks: Readonly<Record<string, CheckFactory>> = {
  recovery_time: recoveryTime,
  failover_time: failoverTime,
  lost_writes: lostWrites,
  error_budget_burn: errorBudgetBurn,
  stampede_db_queries: stampedeDbQueries,
  breaker_open_time: breakerOpenTime,
  fail_fast_p99: failFastP99,
};

/** The names above, for the parser. */
export const checkNames: ReadonlySet<string> = new Set(Object.keys(checks));

export type { Check, CheckContext, CheckFactory, CheckResult } from "./types.ts";
