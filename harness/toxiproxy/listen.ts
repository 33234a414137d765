import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Where a proxy binds, after name resolution, and how the API prints it. */
export interface ListenAddress {
  /** The host given to net.Server#listen ("::" for wildcards). */
  bindHost: string;
  port: number;
  /** Wildcard listens ("", "0.0.0.0", "::") open one dual-stack socket and print as "[::]:PORT" like Go. */
  wildcard: boolean;
}

/** A listen or upstream address that cannot be used; its message reads like Go's net errors. */
export class AddressError extends Error {}

/** Split "host:port" (host may be "[v6]") into its parts; the port must be a number. */
export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  if (colon < 0) throw new AddressError(`listen tcp: address ${address}: missing port in address`);
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  else if (host.includes(":")) throw new AddressError(`listen tcp: address ${address}: too many colons in address`);
  const port = portText === "" ? 0 : Number(portText);
  if (!/^\d*$/.test(portText) || !Number.isInteger(port) || port > 65535) {
    throw new AddressError(`listen tcp: lookup tcp/${portText}: unknown port`);
  }
  return { host, port };
}

/** Resolve a listen address like Go's net.Listen: hostnames to their first IPv4 address. */
export async function resolveListen(address: string): Promise<ListenAddress> {
  // An empty listen is Go's ":0": any free port on every interface.
  const { host, port } = address === "" ? { host: "", port: 0 } : splitHostPort(address);
  if (host === "" || host === "0.0.0.0" || host === "::") return { bindHost: "::", port, wildcard: true };
  if (isIP(host)) return { bindHost: host, port, wildcard: false };
  try {
    const found = await lookup(host, { family: 4 }).catch(() => lookup(host));
    return { bindHost: found.address, port, wildcard: false };
  } catch {
    throw new AddressError(`listen tcp: lookup ${host}: no such host`);
  }
}

/** Print an address as Go does: "127.0.0.1:8080", "[::1]:8080", wildcards as "[::]:8080". */
export function formatAddress(host: string, port: number, wildcard = false): string {
  if (wildcard) return `[::]:${port}`;
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The listen address in its canonical form, for "did it change?" comparisons (Toxiproxy 2.12 semantics). */
export async function canonicalListen(address: string): Promise<string> {
  const resolved = await resolveListen(address);
  return formatAddress(resolved.bindHost, resolved.port, resolved.wildcard);
}
