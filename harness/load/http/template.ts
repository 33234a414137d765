import { type Distribution, type Sampler, sampler, validateDistribution } from "./distribution.ts";
import type { Random } from "./random.ts";

/** HTTP methods a template may use. */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
const METHODS: readonly string[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** A status code, a list of them, or a class such as `"2xx"`. */
export type StatusMatch = number | readonly number[] | "1xx" | "2xx" | "3xx" | "4xx" | "5xx";

/** Checks on each answer, recorded on the `checks` rate with tag `check` (`status`, `body`). */
export interface Checks {
  status?: StatusMatch;
  /** The body must contain this text. */
  bodyIncludes?: string;
  /** A predicate on the body text. Keep it cheap: it runs once per answer. */
  body?: (text: string) => boolean;
}

/** Marks a template as a write: acknowledged ids go into the writes ledger for a verifier. */
export interface WriteSpec {
  /** JSON field of the answer holding the written record's id. Default `id`. */
  idField?: string;
  /** Parameter whose value identifies the write client-side (kept for indeterminate writes too). */
  key?: string;
}

/**
 * One kind of request in the mix. `path` (with query) is relative to the run's baseUrl and may
 * hold `{name}` placeholders filled from `params`; so may string values in `json`.
 */
export interface RequestTemplate {
  /** The `endpoint` tag (keep cardinality low). Default: the path with `{id}` written `:id`, query dropped. */
  endpoint?: string;
  /** Default GET. */
  method?: HttpMethod;
  path: string;
  /** Draw each placeholder's value from a distribution. */
  params?: Record<string, Distribution>;
  headers?: Record<string, string>;
  /** A JSON body (sent with content-type application/json). */
  json?: unknown;
  /** A raw body; use `json` for JSON. */
  body?: string;
  /** Relative weight in the mix. Default 1. */
  weight?: number;
  /** Statuses that are not failures for `http_req_failed` (k6's expected statuses). Default 200-399. */
  expectedStatuses?: readonly (number | { min: number; max: number })[];
  checks?: Checks;
  /** `true` or the write's id field / key: the engine keeps acknowledged and indeterminate writes. */
  write?: boolean | WriteSpec;
}

const KNOWN = [
  "endpoint",
  "method",
  "path",
  "params",
  "headers",
  "json",
  "body",
  "weight",
  "expectedStatuses",
  "checks",
  "write",
];
const PLACEHOLDER = /\{(\w+)\}/g;

/** Every problem with the request mix (empty when it can run). */
export function validateRequests(requests: unknown): string[] {
  if (!Array.isArray(requests) || requests.length === 0)
    return ["requests must be a non-empty list of request templates"];
  const out: string[] = [];
  requests.forEach((raw: unknown, i: number) => {
    const where = `requests[${i}]`;
    if (typeof raw !== "object" || raw === null) {
      out.push(`${where} must be an object with a path`);
      return;
    }
    const t = raw as Record<string, unknown>;
    for (const key of Object.keys(t)) {
      if (!KNOWN.includes(key)) out.push(`${where}.${key} is not a template option (known: ${KNOWN.join(", ")})`);
    }
    if (typeof t.path !== "string" || !t.path.startsWith("/")) {
      out.push(`${where}.path must start with "/", got ${JSON.stringify(t.path)}`);
    }
    if (t.method !== undefined && (typeof t.method !== "string" || !METHODS.includes(t.method))) {
      out.push(`${where}.method must be one of ${METHODS.join(", ")}, got ${JSON.stringify(t.method)}`);
    }
    if (t.weight !== undefined && !(typeof t.weight === "number" && Number.isFinite(t.weight) && t.weight > 0)) {
      out.push(`${where}.weight must be a number > 0, got ${JSON.stringify(t.weight)}`);
    }
    if (t.json !== undefined && t.body !== undefined) out.push(`${where} has both json and body: keep one`);
    const params = (t.params ?? {}) as Record<string, unknown>;
    for (const [name, d] of Object.entries(params)) out.push(...validateDistribution(d, `${where}.params.${name}`));
    const text = `${typeof t.path === "string" ? t.path : ""} ${t.json === undefined ? "" : JSON.stringify(t.json)}`;
    for (const m of text.matchAll(PLACEHOLDER)) {
      if (!(m[1]! in params)) out.push(`${where} uses {${m[1]}} but params has no ${m[1]}`);
    }
    if (typeof t.write === "object" && t.write !== null) {
      const key = (t.write as WriteSpec).key;
      if (key !== undefined && !(key in params)) out.push(`${where}.write.key names ${key}, which is not in params`);
    }
    const status = (t.checks as Checks | undefined)?.status;
    if (status !== undefined && typeof status === "string" && !/^[1-5]xx$/.test(status)) {
      out.push(`${where}.checks.status must be a code, a list or a class like "2xx", got ${JSON.stringify(status)}`);
    }
  });
  return out;
}

/** A template ready for the hot path. */
export interface CompiledTemplate {
  readonly index: number;
  readonly endpoint: string;
  readonly method: HttpMethod;
  readonly headers: Record<string, string>;
  readonly weight: number;
  /** Whether any value is drawn per request. */
  readonly hasParams: boolean;
  /** The body is read only when a check or the ledger needs it. */
  readonly needsBody: boolean;
  readonly write: { idField: string; key: string | undefined } | undefined;
  readonly checks: Checks | undefined;
  /** Draw the params and build one request. */
  next(): { path: string; body: string | undefined; key: string | undefined };
  isExpected(status: number): boolean;
  statusCheck(status: number): boolean;
}

/** Compile a valid template; parameter draws come from `random`. */
export function compileTemplate(t: RequestTemplate, index: number, random: Random): CompiledTemplate {
  const method = t.method ?? "GET";
  const samplers = new Map<string, Sampler>();
  for (const [name, d] of Object.entries(t.params ?? {})) samplers.set(name, sampler(d, random));
  const pathParts = t.path.split(PLACEHOLDER);
  const rawBody = t.json !== undefined ? JSON.stringify(t.json) : t.body;
  const bodyParts = rawBody?.split(PLACEHOLDER);
  const headers: Record<string, string> = { ...(t.headers ?? {}) };
  if (t.json !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  const write =
    t.write === undefined || t.write === false
      ? undefined
      : {
          idField: (t.write === true ? undefined : t.write.idField) ?? "id",
          key: t.write === true ? undefined : t.write.key,
        };
  const expected = t.expectedStatuses ?? [{ min: 200, max: 399 }];
  const isJsonBody = t.json !== undefined;

  // Without params every request is the same: build it once.
  const fixed = samplers.size === 0 ? { path: t.path, body: rawBody, key: undefined } : undefined;
  const next = () => {
    if (fixed) return fixed;
    const values = new Map<string, string | number>();
    for (const [name, draw] of samplers) values.set(name, draw());
    let path = pathParts[0]!;
    for (let i = 1; i < pathParts.length; i += 2) {
      path += encodeURIComponent(String(values.get(pathParts[i]!))) + pathParts[i + 1]!;
    }
    let body: string | undefined;
    if (bodyParts) {
      body = bodyParts[0]!;
      for (let i = 1; i < bodyParts.length; i += 2) {
        const v = String(values.get(bodyParts[i]!));
        // Inside a JSON string literal the value must be escaped as JSON.
        body += (isJsonBody ? JSON.stringify(v).slice(1, -1) : v) + bodyParts[i + 1]!;
      }
    }
    const key = write?.key === undefined ? undefined : String(values.get(write.key));
    return { path, body, key };
  };

  return {
    index,
    endpoint: t.endpoint ?? t.path.split("?")[0]!.replace(PLACEHOLDER, ":$1"),
    method,
    headers,
    weight: t.weight ?? 1,
    hasParams: samplers.size > 0,
    needsBody: write !== undefined || t.checks?.body !== undefined || t.checks?.bodyIncludes !== undefined,
    write,
    checks: t.checks,
    next,
    isExpected: (status) =>
      expected.some((e) => (typeof e === "number" ? e === status : status >= e.min && status <= e.max)),
    statusCheck: (status) => matchStatus(t.checks?.status, status),
  };
}

function matchStatus(m: StatusMatch | undefined, status: number): boolean {
  if (m === undefined) return true;
  if (typeof m === "number") return m === status;
  if (typeof m === "string") return Math.floor(status / 100) === Number(m[0]);
  return m.includes(status);
}

/** A weighted picker over the compiled templates. */
export function weightedPicker(templates: readonly CompiledTemplate[], random: Random): () => CompiledTemplate {
  if (templates.length === 1) {
    const only = templates[0]!;
    return () => only;
  }
  const cumulative: number[] = [];
  let sum = 0;
  for (const t of templates) {
    sum += t.weight;
    cumulative.push(sum);
  }
  return () => {
    const u = random() * sum;
    for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]!) return templates[i]!;
    return templates[templates.length - 1]!;
  };
}
