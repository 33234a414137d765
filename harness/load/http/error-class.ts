/**
 * Error classes on the `error` tag (timeline conventions): what went wrong with one request.
 * `aborted` is the run stopping under the request, not the server's doing.
 */
export type ErrorClass = "timeout" | "reset" | "refused" | "dns" | "aborted" | "http_4xx" | "http_5xx" | "error";

/** Error class of a request that got no complete answer, from the error's stable code. */
export function classifyError(error: unknown): ErrorClass {
  const e = error as { code?: string; cause?: { code?: string }; name?: string } | undefined;
  const code = e?.code ?? e?.cause?.code ?? "";
  switch (code) {
    case "HARNESS_REQUEST_TIMEOUT":
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return "timeout";
    case "ECONNREFUSED":
      return "refused";
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return "reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns";
    case "HARNESS_REQUEST_ABORTED":
    case "UND_ERR_ABORTED":
      return "aborted";
    default:
      return "error";
  }
}

/** Error class of a complete answer: undefined for anything below 400. */
export function classifyStatus(status: number): ErrorClass | undefined {
  if (status >= 500) return "http_5xx";
  if (status >= 400) return "http_4xx";
  return undefined;
}
