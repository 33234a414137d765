import { HarnessError } from "../errors.ts";

/** Hosts load may always go to: this machine. */
export const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "::1"];

/**
 * Parse the target URL and refuse any host that is not loopback or explicitly allowed
 * (`--allow-host HOST`). Throws HARNESS_LOAD_INVALID for a malformed URL and
 * HARNESS_HOST_NOT_ALLOWED for a host nobody allowed.
 */
export function checkTarget(baseUrl: unknown, allowHosts: readonly string[] = []): URL {
  let url: URL;
  try {
    url = new URL(String(baseUrl));
  } catch {
    throw new HarnessError("HARNESS_LOAD_INVALID", `baseUrl ${JSON.stringify(baseUrl)} is not a URL`, {
      hint: "write it like http://127.0.0.1:8080",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new HarnessError("HARNESS_LOAD_INVALID", `baseUrl ${url.href} must be http:// or https://`, {
      hint: "write it like http://127.0.0.1:8080",
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const allowed = [...LOOPBACK_HOSTS, ...allowHosts.map((h) => h.replace(/^\[|\]$/g, "").toLowerCase())];
  if (!allowed.includes(host)) {
    throw new HarnessError(
      "HARNESS_HOST_NOT_ALLOWED",
      `refusing to send load to ${host}: only loopback targets are allowed`,
      {
        hint: `pass --allow-host ${host} if this host is yours to load`,
      },
    );
  }
  return url;
}
