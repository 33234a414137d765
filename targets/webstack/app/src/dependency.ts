import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type IPolicy,
  isBrokenCircuitError,
  isTaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from "cockatiel";
import { log } from "./log.ts";
import { breakerState, breakerTransitions, dependencyCalls } from "./metrics.ts";

/** The dependencies the app calls, each with its own breaker, timeout and Toxiproxy link. */
export type DependencyName = "cache" | "db_write" | "db_read" | "shard1" | "shard2" | "queue";

/** Thrown when a dependency cannot answer: its breaker is open, it timed out or it failed. */
export class Unavailable extends Error {
  constructor(
    readonly dependency: DependencyName,
    readonly reason: "open" | "timeout" | "error",
    /** Seconds a client should wait before trying again (Retry-After). */
    readonly retryAfterS: number,
    cause?: unknown,
  ) {
    super(`${dependency} unavailable (${reason})`, { cause });
  }
}

/** An error that is the caller's fault (bad input, constraint): it never opens a breaker. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DependencyOptions {
  timeoutMs: number;
  /** false: timeouts only, every call goes through (CIRCUIT_BREAKER=off). */
  breaker: boolean;
  breakerFailures: number;
  halfOpenAfterMs: number;
}

// PostgreSQL data and integrity errors (classes 22, 23) are answers, not outages.
function isInfraFailure(err: unknown): boolean {
  if (err instanceof ClientError) return false;
  const code = (err as { code?: unknown }).code;
  return !(typeof code === "string" && /^2[23]/.test(code));
}

/**
 * One dependency: every call gets a timeout, and (unless switched off) a consecutive-failure
 * circuit breaker that fails fast while open. Failures are rethrown as {@link Unavailable}.
 */
export class Dependency {
  private readonly policy: IPolicy;
  private readonly breakerPolicy?: ReturnType<typeof circuitBreaker>;
  private openedAtMs = 0;

  constructor(
    readonly name: DependencyName,
    private readonly opts: DependencyOptions,
  ) {
    const t = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);
    breakerState.set({ dependency: name }, 0);
    if (opts.breaker) {
      const cb = circuitBreaker(handleWhen(isInfraFailure), {
        halfOpenAfter: opts.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(opts.breakerFailures),
      });
      cb.onStateChange((state) => {
        const to = state === CircuitState.Open ? "open" : state === CircuitState.HalfOpen ? "half-open" : "closed";
        if (state === CircuitState.Open) this.openedAtMs = Date.now();
        breakerState.set(
          { dependency: name },
          state === CircuitState.Open ? 2 : state === CircuitState.HalfOpen ? 1 : 0,
        );
        breakerTransitions.inc({ dependency: name, to });
        log(state === CircuitState.Closed ? "info" : "warn", `breaker ${name} ${to}`, { dependency: name });
      });
      this.breakerPolicy = cb;
      this.policy = wrap(cb, t);
    } else {
      this.policy = t;
    }
  }

  /** "closed", "open", "half-open", or "off" when breakers are switched off. */
  state(): "closed" | "open" | "half-open" | "off" {
    if (!this.breakerPolicy) return "off";
    const s = this.breakerPolicy.state;
    return s === CircuitState.Open || s === CircuitState.Isolated
      ? "open"
      : s === CircuitState.HalfOpen
        ? "half-open"
        : "closed";
  }

  /** Seconds until the breaker lets a trial call through (at least 1). */
  retryAfterS(): number {
    if (this.state() !== "open") return 1;
    const leftMs = this.opts.halfOpenAfterMs - (Date.now() - this.openedAtMs);
    return Math.max(1, Math.ceil(leftMs / 1000));
  }

  /**
   * Throws {@link Unavailable} at once while the breaker is open and not yet due for its trial
   * call, so a caller can skip the work that would precede the call (a cache lock, say).
   */
  rejectIfOpen(): void {
    if (this.state() !== "open" || Date.now() - this.openedAtMs >= this.opts.halfOpenAfterMs) return;
    dependencyCalls.inc({ dependency: this.name, outcome: "rejected" });
    throw new Unavailable(this.name, "open", this.retryAfterS());
  }

  /** Runs `fn` under the timeout and breaker; `signal` aborts when the timeout fires. */
  async call<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // cockatiel makes callers wait for the half-open trial call (up to the timeout): refuse them at once.
    if (this.state() === "half-open") {
      dependencyCalls.inc({ dependency: this.name, outcome: "rejected" });
      throw new Unavailable(this.name, "open", this.retryAfterS());
    }
    try {
      const v = await this.policy.execute(({ signal }) => fn(signal));
      dependencyCalls.inc({ dependency: this.name, outcome: "ok" });
      return v as T;
    } catch (err) {
      if (err instanceof ClientError || !isInfraFailure(err)) {
        dependencyCalls.inc({ dependency: this.name, outcome: "ok" });
        throw err;
      }
      if (isBrokenCircuitError(err) || err instanceof BrokenCircuitError) {
        dependencyCalls.inc({ dependency: this.name, outcome: "rejected" });
        throw new Unavailable(this.name, "open", this.retryAfterS(), err);
      }
      if (isTaskCancelledError(err)) {
        dependencyCalls.inc({ dependency: this.name, outcome: "timeout" });
        throw new Unavailable(this.name, "timeout", this.retryAfterS(), err);
      }
      dependencyCalls.inc({ dependency: this.name, outcome: "error" });
      throw new Unavailable(this.name, "error", this.retryAfterS(), err);
    }
  }
}
