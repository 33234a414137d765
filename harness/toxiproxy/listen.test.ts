import { describe, expect, it } from "vitest";
import { AddressError, canonicalListen, formatAddress, resolveListen, splitHostPort } from "./listen.ts";

describe("listen addresses", () => {
  it("splits host and port, IPv6 in brackets, empty port as 0", () => {
    expect(splitHostPort("localhost:80")).toEqual({ host: "localhost", port: 80 });
    expect(splitHostPort("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(splitHostPort(":8080")).toEqual({ host: "", port: 8080 });
    expect(splitHostPort("db:")).toEqual({ host: "db", port: 0 });
  });

  it.each(["local373", "a:b", "::1:80", "h:99999"])("rejects %s like Go's net.Listen", (address) => {
    expect(() => splitHostPort(address)).toThrow(AddressError);
  });

  it("resolves localhost to IPv4 and wildcards to one dual-stack socket", async () => {
    expect(await resolveListen("localhost:0")).toEqual({ bindHost: "127.0.0.1", port: 0, wildcard: false });
    expect((await resolveListen("0.0.0.0:5")).wildcard).toBe(true);
    expect((await resolveListen(":5")).wildcard).toBe(true);
    expect(await resolveListen("")).toEqual({ bindHost: "::", port: 0, wildcard: true });
    expect(await canonicalListen("localhost:3310")).toBe("127.0.0.1:3310");
  });

  it("prints addresses as Go does", () => {
    expect(formatAddress("127.0.0.1", 1)).toBe("127.0.0.1:1");
    expect(formatAddress("::1", 2)).toBe("[::1]:2");
    expect(formatAddress("::", 3, true)).toBe("[::]:3");
  });
});
