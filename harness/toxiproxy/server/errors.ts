/** An API failure: its HTTP status and the message of the `{"error":"...","status":N}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra keys of the error body (populate adds `proxies`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const proxyNotFound = () => new ApiError(404, "proxy not found");
export const toxicNotFound = () => new ApiError(404, "toxic not found");
export const badBody = (reason: string) => new ApiError(400, `bad request body: ${reason}`);
