import { type Dispatcher, Pool } from "undici";
import type { Clock } from "../../timeline/index.ts";
import { classifyError, classifyStatus, type ErrorClass } from "./error-class.ts";
import type { CompiledTemplate } from "./template.ts";

/** How the engine talks HTTP to the target. */
export interface HttpOptions {
  /**
   * Most keep-alive connections to the target (opened only as needed). Default: closed model, one
   * per VU; open model, as many as requests may be in flight, at most 1000 — so a slow server
   * sees the offered concurrency instead of a client-side queue.
   */
  connections?: number;
  /** Whole-request timeout in ms, counted from the moment the request is handed to the pool. Default 10000. */
  timeoutMs?: number;
  /** Idle keep-alive connections are closed after this many ms. Default 10000. */
  keepAliveTimeoutMs?: number;
  /** TCP connect timeout in ms. Default 5000. */
  connectTimeoutMs?: number;
}

/** Body bytes kept for checks and write ids; the rest is counted, not kept. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * One request's outcome, handed to the recorder when it completes (with or without an answer).
 * Failures are data: `error` says what went wrong, nothing is thrown.
 */
export interface Outcome {
  readonly template: CompiledTemplate;
  /** Run-clock ms the request should have been sent (open model) or was sent (closed model). */
  readonly intendedMs: number;
  /** Run-clock ms it was handed to the HTTP pool. */
  readonly startMs: number;
  /** Run-clock ms the answer ended or the request failed. */
  endMs: number;
  /** HTTP status, 0 without a complete answer. */
  status: number;
  error: ErrorClass | undefined;
  bytesIn: number;
  readonly bytesOut: number;
  /** The body text, when the template needs it (checks, write ids) and it was complete. */
  body: string | undefined;
  /** The write's client-side key, if the template names one. */
  readonly key: string | undefined;
}

type Abort = (err?: Error) => void;

class RequestTimeoutError extends Error {
  readonly code = "HARNESS_REQUEST_TIMEOUT";
}
class RequestAbortedError extends Error {
  readonly code = "HARNESS_REQUEST_ABORTED";
}

/** A request in flight: undici's (legacy, fastest) dispatch handler and the outcome in one object. */
class InFlight implements Outcome {
  endMs = 0;
  status = 0;
  error: ErrorClass | undefined = undefined;
  bytesIn = 0;
  body: string | undefined = undefined;
  done = false;
  #abort: Abort | undefined = undefined;
  #chunks: Buffer[] | undefined;
  #kept = 0;

  constructor(
    readonly client: HttpClient,
    readonly template: CompiledTemplate,
    readonly intendedMs: number,
    readonly startMs: number,
    readonly bytesOut: number,
    readonly key: string | undefined,
  ) {
    this.#chunks = template.needsBody ? [] : undefined;
  }

  onConnect(abort: Abort): void {
    if (this.done) abort(new RequestAbortedError("request ended before it was sent"));
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    let n = 0;
    for (let i = 0; i < rawHeaders.length; i++) n += rawHeaders[i]!.length + 2;
    this.bytesIn += n;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    if (this.#chunks && this.#kept < MAX_BODY_BYTES) {
      this.#chunks.push(chunk);
      this.#kept += chunk.length;
    }
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    if (this.#chunks) this.body = Buffer.concat(this.#chunks).toString("utf8");
    this.error = classifyStatus(this.status);
    this.client.finish(this);
  }

  onError(err: Error): void {
    if (this.done) return;
    this.status = 0;
    this.error = classifyError(err);
    this.client.finish(this);
  }

  /** End the request from our side (timeout, run stop): record it now, abort the socket if it has one. */
  cancel(error: ErrorClass): void {
    if (this.done) return;
    this.status = 0;
    this.error = error;
    this.client.finish(this);
    this.#abort?.(
      error === "timeout" ? new RequestTimeoutError("request timed out") : new RequestAbortedError("run stopped"),
    );
  }
}

/**
 * The engine's HTTP client: one undici Pool to the target origin, keep-alive, a fixed connection
 * count, a whole-request timeout enforced by one sweeper (no timer per request).
 */
export class HttpClient {
  readonly pool: Pool;
  readonly timeoutMs: number;
  readonly #clock: Clock;
  readonly #onOutcome: (o: Outcome) => void;
  /** In start order, so deadlines are in order too: the sweeper reads only the head. */
  readonly #inFlight = new Set<InFlight>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #shapes = new Map<
    CompiledTemplate,
    { headers: Record<string, string> | null; headBytes: number; fixed: Dispatcher.DispatchOptions | undefined }
  >();
  readonly #basePath: string;

  constructor(baseUrl: URL, options: HttpOptions, clock: Clock, onOutcome: (o: Outcome) => void) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#clock = clock;
    this.#onOutcome = onOutcome;
    this.#basePath = baseUrl.pathname.replace(/\/$/, "");
    this.pool = new Pool(baseUrl.origin, {
      connections: options.connections ?? 50, // the engine fills in its plan's default
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      // Our sweeper owns the timeout; undici's are a backstop.
      headersTimeout: this.timeoutMs + 1_000,
      bodyTimeout: this.timeoutMs + 1_000,
    });
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, Math.min(100, this.timeoutMs / 10)));
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Send one request built from `template`; its outcome reaches `onOutcome` exactly once. */
  send(template: CompiledTemplate, intendedMs: number, startMs = this.#clock.nowMs()): void {
    const r = template.next();
    let shape = this.#shapes.get(template);
    if (shape === undefined) {
      const hasHeaders = Object.keys(template.headers).length > 0;
      shape = {
        headers: hasHeaders ? template.headers : null,
        headBytes:
          40 +
          template.method.length +
          Object.entries(template.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0),
        // A template without params sends the same request every time: one options object for all.
        fixed: template.hasParams
          ? undefined
          : this.#options(template, r.path, r.body, hasHeaders ? template.headers : null),
      };
      this.#shapes.set(template, shape);
    }
    const bytesOut = shape.headBytes + r.path.length + (r.body === undefined ? 0 : Buffer.byteLength(r.body));
    const request = new InFlight(this, template, intendedMs, startMs, bytesOut, r.key);
    this.#inFlight.add(request);
    const options = shape.fixed ?? this.#options(template, r.path, r.body, shape.headers);
    try {
      this.pool.dispatch(options, request as unknown as Dispatcher.DispatchHandler);
    } catch (error) {
      // A synchronous refusal (closed pool, bad header) is still one outcome.
      request.onError(error as Error);
    }
  }

  #options(
    template: CompiledTemplate,
    path: string,
    body: string | undefined,
    headers: Record<string, string> | null,
  ): Dispatcher.DispatchOptions {
    return { path: this.#basePath + path, method: template.method, headers, body: body ?? null };
  }

  /** @internal called by InFlight exactly once. */
  finish(request: InFlight): void {
    request.done = true;
    request.endMs = this.#clock.nowMs();
    this.#inFlight.delete(request);
    this.#onOutcome(request);
  }

  #sweep(): void {
    const deadline = this.#clock.nowMs() - this.timeoutMs;
    for (const r of this.#inFlight) {
      if (r.startMs > deadline) break;
      r.cancel("timeout");
    }
  }

  /** End every request in flight as `aborted` (the run is stopping). */
  abortAll(): void {
    for (const r of [...this.#inFlight]) r.cancel("aborted");
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.abortAll();
    await this.pool.destroy().catch(() => undefined);
  }
}
