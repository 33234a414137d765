/**
 * Errors the harness raises on purpose, and the exit-code table every command follows.
 *
 * | exit | meaning                                                     |
 * | ---- | ----------------------------------------------------------- |
 * | 0    | pass: every threshold held                                  |
 * | 1    | an SLO threshold failed                                     |
 * | 2    | usage or configuration error (bad flag, scenario, compose)  |
 * | 3    | infrastructure error (Docker unreachable, unhealthy service)|
 * | 4    | run invalid (generator saturated, something not measured)   |
 * | 130  | interrupted (SIGINT / SIGTERM): partial results, "aborted"  |
 */
export const ExitCode = {
  pass: 0,
  sloFailed: 1,
  usage: 2,
  infrastructure: 3,
  invalid: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface HarnessErrorOptions {
  /** What the user should do about it, in one sentence. */
  hint?: string;
  cause?: unknown;
  exitCode?: ExitCode;
}

/** Stable codes: users and tests match on these, never on message text. */
export type HarnessErrorCode =
  | "HARNESS_USAGE"
  | "HARNESS_CONFIG_INVALID"
  | "HARNESS_COMPOSE_NOT_FOUND"
  | "HARNESS_COMPOSE_INVALID"
  | "HARNESS_SCENARIO_INVALID"
  | "HARNESS_THRESHOLD_INVALID"
  | "HARNESS_LOAD_INVALID"
  | "HARNESS_HOST_NOT_ALLOWED"
  | "HARNESS_DOCKER_UNREACHABLE"
  | "HARNESS_DOCKER_FAILED"
  | "HARNESS_IMAGE_BUILD_FAILED"
  | "HARNESS_TOPOLOGY_UNHEALTHY"
  | "HARNESS_PORT_IN_USE"
  | "HARNESS_CONTAINER_NOT_FOUND"
  | "HARNESS_FAULT_FAILED"
  | "HARNESS_PROBE_FAILED"
  | "HARNESS_RUN_INVALID"
  | "HARNESS_INTERRUPTED"
  | "HARNESS_INTERNAL";

const defaultExit: Record<HarnessErrorCode, ExitCode> = {
  HARNESS_USAGE: ExitCode.usage,
  HARNESS_CONFIG_INVALID: ExitCode.usage,
  HARNESS_COMPOSE_NOT_FOUND: ExitCode.usage,
  HARNESS_COMPOSE_INVALID: ExitCode.usage,
  HARNESS_SCENARIO_INVALID: ExitCode.usage,
  HARNESS_THRESHOLD_INVALID: ExitCode.usage,
  HARNESS_LOAD_INVALID: ExitCode.usage,
  HARNESS_HOST_NOT_ALLOWED: ExitCode.usage,
  HARNESS_DOCKER_UNREACHABLE: ExitCode.infrastructure,
  HARNESS_DOCKER_FAILED: ExitCode.infrastructure,
  HARNESS_IMAGE_BUILD_FAILED: ExitCode.infrastructure,
  HARNESS_TOPOLOGY_UNHEALTHY: ExitCode.infrastructure,
  HARNESS_PORT_IN_USE: ExitCode.infrastructure,
  HARNESS_CONTAINER_NOT_FOUND: ExitCode.infrastructure,
  HARNESS_FAULT_FAILED: ExitCode.infrastructure,
  HARNESS_PROBE_FAILED: ExitCode.infrastructure,
  HARNESS_RUN_INVALID: ExitCode.invalid,
  HARNESS_INTERRUPTED: ExitCode.interrupted,
  HARNESS_INTERNAL: ExitCode.infrastructure,
};

/**
 * An expected failure: printed as one line (`error CODE: message` + hint), never a stack trace.
 * The message names the file, service, key or expression at fault.
 */
export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: HarnessErrorCode, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HarnessError";
    this.code = code;
    this.exitCode = options.exitCode ?? defaultExit[code];
    this.hint = options.hint;
  }

  /** One line for a terminal: the problem, then what to do. */
  toOneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export function isHarnessError(value: unknown): value is HarnessError {
  return value instanceof HarnessError;
}
