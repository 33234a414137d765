import { createServer } from "node:net";
import { ToxiproxyError } from "toxiproxy-node-client";
import { describe, expect, it } from "vitest";
import { api, startEchoServer, startToxiproxy } from "./fixtures.ts";

// Every endpoint and status code of the Toxiproxy 2.12 API, driven from outside: raw HTTP and toxiproxy-node-client.
describe("toxiproxy API", () => {
  it("answers /version with Toxiproxy's JSON", async () => {
    await using tp = await startToxiproxy();
    const res = await api(tp.server.url, "GET", "/version");
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"version": "2.12.0"}\n');
    expect(res.headers.get("content-type")).toBe("application/json;charset=utf-8");
    expect(JSON.parse(await tp.client.getVersion())).toEqual({ version: "2.12.0" });
  });

  it("creates a proxy with 201, reports the bound address and lists it", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const res = await api(tp.server.url, "POST", "/proxies", {
      name: "db",
      listen: "localhost:0",
      upstream: echo.address,
    });
    expect(res.status).toBe(201);
    const proxy = res.json() as Record<string, unknown>;
    expect(Object.keys(proxy)).toEqual(["name", "listen", "upstream", "enabled", "Logger", "toxics"]);
    expect(proxy).toMatchObject({ name: "db", upstream: echo.address, enabled: true, toxics: [] });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(proxy.listen).not.toBe("127.0.0.1:0");
    const all = (await api(tp.server.url, "GET", "/proxies")).json() as Record<string, unknown>;
    expect(Object.keys(all)).toEqual(["db"]);
    const viaClient = await tp.client.get("db");
    expect(viaClient.listen).toBe(proxy.listen);
  });

  it("answers GET /proxies with {} when empty and sorts names", async () => {
    await using tp = await startToxiproxy();
    expect((await api(tp.server.url, "GET", "/proxies")).text).toBe("{}");
    for (const name of ["b", "a", "c"]) {
      await tp.client.createProxy({ name, listen: "127.0.0.1:0", upstream: "127.0.0.1:1", enabled: false });
    }
    expect(Object.keys((await api(tp.server.url, "GET", "/proxies")).json() as object)).toEqual(["a", "b", "c"]);
  });

  it("rejects proxy creation with 400, 409 and 500 and the error body", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    const cases: [unknown, number, string][] = [
      ["", 400, "bad request body: EOF"],
      ["{nope", 400, "bad request body: "],
      ["x", 400, "bad request body: invalid character 'x' looking for beginning of value"],
      [{ listen: "127.0.0.1:0", upstream: "x:1" }, 400, "missing required field: name"],
      [{ name: "a", listen: "127.0.0.1:0" }, 400, "missing required field: upstream"],
      [{ name: 5, upstream: "x:1" }, 400, "bad request body: json: cannot unmarshal number"],
      [{ name: "a", upstream: "x:1", listen: "local373" }, 500, "missing port in address"],
    ];
    for (const [body, status, message] of cases) {
      const res = await api(url, "POST", "/proxies", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.text.endsWith("\n")).toBe(true);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const error = res.json() as { error: string; status: number };
      expect(error.status).toBe(status);
      expect(error.error).toContain(message);
    }
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    const duplicate = await api(url, "POST", "/proxies", { name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json()).toEqual({ error: "proxy already exists", status: 409 });
    await expect(tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" })).rejects.toBeInstanceOf(
      ToxiproxyError,
    );
  });

  it("answers 500 with Go's text when the listen port is taken, and registers nothing", async () => {
    await using tp = await startToxiproxy();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const res = await api(tp.server.url, "POST", "/proxies", {
        name: "a",
        listen: `127.0.0.1:${port}`,
        upstream: "x:1",
      });
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({ error: `listen tcp 127.0.0.1:${port}: bind: address already in use`, status: 500 });
      expect((await api(tp.server.url, "GET", "/proxies/a")).status).toBe(404);
    } finally {
      blocker.close();
    }
  });

  it("treats enabled null or absent as true, matches keys case-insensitively and ignores unknown fields", async () => {
    await using tp = await startToxiproxy();
    const a = await api(tp.server.url, "POST", "/proxies", {
      name: "a",
      listen: "127.0.0.1:0",
      upstream: "x:1",
      enabled: null,
    });
    expect((a.json() as { enabled: boolean }).enabled).toBe(true);
    const b = await api(tp.server.url, "POST", "/proxies", {
      Name: "b",
      Listen: "127.0.0.1:0",
      Upstream: "x:1",
      colour: "blue",
    });
    expect(b.status).toBe(201);
    expect(b.json()).toMatchObject({ name: "b", upstream: "x:1", enabled: true });
    const disabled = await api(tp.server.url, "POST", "/proxies", {
      name: "c",
      listen: "localhost:3310",
      upstream: "x:1",
      enabled: false,
    });
    expect(disabled.json()).toMatchObject({ listen: "localhost:3310", enabled: false });
  });

  it("gets, updates (POST and PATCH, partial), and deletes a proxy, with 404 for unknown names", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    expect((await api(url, "GET", "/proxies/a")).status).toBe(200);
    const patched = await api(url, "PATCH", "/proxies/a", { enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ name: "a", enabled: false, upstream: "x:1" });
    const posted = await api(url, "POST", "/proxies/a", { upstream: "y:2", name: "ignored" });
    expect(posted.json()).toMatchObject({ name: "a", enabled: false, upstream: "y:2" });
    const proxy = await tp.client.get("a");
    const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: "y:2" });
    expect(enabled.enabled).toBe(true);
    expect((await api(url, "PATCH", "/proxies/a", "{bad")).status).toBe(400);
    for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
      const res = await api(url, method, "/proxies/none", method === "GET" || method === "DELETE" ? undefined : {});
      expect(res.status, method).toBe(404);
      expect(res.json()).toEqual({ error: "proxy not found", status: 404 });
    }
    const deleted = await api(url, "DELETE", "/proxies/a");
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await api(url, "GET", "/proxies/a")).status).toBe(404);
  });

  it("creates toxics with 200 and Toxiproxy's defaults, lists them upstream first", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    const created = await api(url, "POST", "/proxies/a/toxics", { type: "latency", attributes: { latency: 10 } });
    expect(created.status).toBe(200);
    expect(created.json()).toEqual({
      attributes: { latency: 10, jitter: 0 },
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
    });
    const up = await api(url, "POST", "/proxies/a/toxics", { type: "bandwidth", stream: "UpStream", toxicity: 0.5 });
    expect(up.json()).toEqual({
      attributes: { rate: 0 },
      name: "bandwidth_UpStream",
      type: "bandwidth",
      stream: "UpStream",
      toxicity: 0.5,
    });
    const proxy = await tp.client.get("a");
    const slicer = await proxy.addToxic({
      name: "cut",
      type: "slicer",
      stream: "downstream",
      toxicity: 1,
      attributes: { average_size: 10, size_variation: 2, delay: 5 },
    });
    expect(slicer.attributes).toEqual({ average_size: 10, size_variation: 2, delay: 5 });
    const list = (await api(url, "GET", "/proxies/a/toxics")).json() as { name: string }[];
    expect(list.map((t) => t.name)).toEqual(["bandwidth_UpStream", "latency_downstream", "cut"]);
    const full = (await api(url, "GET", "/proxies/a")).json() as { toxics: unknown[] };
    expect(full.toxics).toEqual(list);
    expect((await api(url, "GET", "/proxies/a/toxics/cut")).json()).toMatchObject({ name: "cut", type: "slicer" });
    expect((await proxy.getToxic("cut")).type).toBe("slicer");
  });

  it("rejects bad toxics with 404, 400 and 409 in Toxiproxy's order", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    await api(url, "POST", "/proxies/a/toxics", { type: "latency" });
    const cases: [string, unknown, number, string][] = [
      ["/proxies/none/toxics", { type: "latency" }, 404, "proxy not found"],
      ["/proxies/a/toxics", "{", 400, "bad request body: unexpected EOF"],
      [
        "/proxies/a/toxics",
        { type: "latency", stream: "sideways" },
        400,
        "stream was invalid, can be either upstream or downstream",
      ],
      [
        "/proxies/a/toxics",
        { type: "latency", stream: "" },
        400,
        "stream was invalid, can be either upstream or downstream",
      ],
      ["/proxies/a/toxics", { type: "down" }, 400, "invalid toxic type"],
      ["/proxies/a/toxics", { type: "nope", stream: "upstream" }, 400, "invalid toxic type"],
      ["/proxies/a/toxics", { type: "latency" }, 409, "toxic already exists"],
      [
        "/proxies/a/toxics",
        { name: "l2", type: "latency", attributes: { latency: "slow" } },
        400,
        "bad request body: json: cannot unmarshal string",
      ],
      ["/proxies/a/toxics", { name: "l3", type: "latency", attributes: { latency: 1.5 } }, 400, "of type int64"],
      [
        "/proxies/a/toxics",
        { name: "b", type: "bandwidth", attributes: { rate: -1 } },
        400,
        "rate must not be negative",
      ],
      ["/proxies/a/toxics", { name: "s", type: "slicer", attributes: {} }, 400, "average_size + size_variation"],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await api(url, "POST", path, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json()).toEqual({ error: expect.stringContaining(message), status });
    }
    // Names are unique across both directions; the hidden noop type can be created.
    const otherWay = await api(url, "POST", "/proxies/a/toxics", {
      name: "latency_downstream",
      type: "latency",
      stream: "upstream",
    });
    expect(otherWay.status).toBe(409);
    expect((await api(url, "POST", "/proxies/a/toxics", { type: "noop" })).json()).toMatchObject({
      name: "noop_downstream",
      attributes: {},
    });
    expect((await api(url, "GET", "/proxies/a/toxics")).json()).toHaveLength(2);
  });

  it("updates toxics by merging attributes and keeping toxicity, through POST, PATCH and the client", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    await api(url, "POST", "/proxies/a/toxics", {
      type: "latency",
      toxicity: 0.2,
      attributes: { latency: 10, jitter: 3 },
    });
    const patched = await api(url, "PATCH", "/proxies/a/toxics/latency_downstream", {
      attributes: { latency: 50 },
      type: "bandwidth",
      stream: "upstream",
    });
    expect(patched.status).toBe(200);
    expect(patched.json()).toEqual({
      attributes: { latency: 50, jitter: 3 },
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 0.2,
    });
    const toxic = await (await tp.client.get("a")).getToxic("latency_downstream");
    const updated = await toxic.update({ toxicity: 1, attributes: { jitter: 0 } } as never);
    expect(updated.toxicity).toBe(1);
    expect(updated.attributes).toEqual({ latency: 50, jitter: 0 });
    expect((await api(url, "POST", "/proxies/a/toxics/none", {})).status).toBe(404);
    expect((await api(url, "POST", "/proxies/none/toxics/latency_downstream", {})).json()).toEqual({
      error: "proxy not found",
      status: 404,
    });
    // Toxic existence is checked before the body is parsed.
    expect((await api(url, "PATCH", "/proxies/a/toxics/none", "garbage")).status).toBe(404);
    expect((await api(url, "PATCH", "/proxies/a/toxics/latency_downstream", "garbage")).status).toBe(400);
    expect((await api(url, "GET", "/proxies/a/toxics/none")).json()).toEqual({ error: "toxic not found", status: 404 });
    expect((await api(url, "DELETE", "/proxies/a/toxics/latency_downstream")).status).toBe(204);
    expect((await api(url, "DELETE", "/proxies/a/toxics/latency_downstream")).status).toBe(404);
  });

  it("populates: creates with 201, keeps unchanged proxies with their toxics, validates before touching anything", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const url = tp.server.url;
    const first = await tp.client.populate([
      { name: "one", listen: "127.0.0.1:0", upstream: echo.address },
      { name: "two", listen: "127.0.0.1:0", upstream: echo.address, enabled: false },
    ]);
    expect(Object.keys(first).sort()).toEqual(["one", "two"]);
    expect(first.two?.enabled).toBe(false);
    const oneListen = first.one?.listen ?? "";
    await api(url, "POST", "/proxies/one/toxics", { type: "timeout" });
    const again = await api(url, "POST", "/populate", [{ name: "one", listen: oneListen, upstream: echo.address }]);
    expect(again.status).toBe(201);
    const [kept] = (again.json() as { proxies: { toxics: unknown[]; listen: string }[] }).proxies;
    expect(kept?.listen).toBe(oneListen);
    expect(kept?.toxics).toHaveLength(1);
    const bad = await api(url, "POST", "/populate", [{ name: "three", upstream: "x:1" }, { name: "four" }]);
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: "missing required field: upstream at proxy 2", status: 400, proxies: null });
    expect(bad.headers.get("content-type")).toBe("application/json");
    expect((await api(url, "GET", "/proxies/three")).status).toBe(404);
    expect((await api(url, "POST", "/populate", { name: "x" })).status).toBe(400);
    expect((await api(url, "POST", "/populate", "")).status).toBe(400);
    const empty = await api(url, "POST", "/populate", []);
    expect(empty.status).toBe(201);
    expect(empty.json()).toEqual({ proxies: [] });
    expect(await tp.client.populate([])).toEqual({});
  });

  it("reset re-enables every proxy and removes every toxic with 204", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1", enabled: false });
    await api(url, "POST", "/proxies/a/toxics", { type: "latency" });
    await api(url, "POST", "/proxies/a/toxics", { type: "latency", stream: "upstream" });
    const res = await api(url, "POST", "/reset");
    expect(res.status).toBe(204);
    await tp.client.reset();
    expect((await api(url, "GET", "/proxies/a")).json()).toMatchObject({ enabled: true, toxics: [] });
  });

  it("answers 500 when an update or reset cannot listen, leaving the proxy disabled with the new values", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = `127.0.0.1:${(blocker.address() as { port: number }).port}`;
    try {
      await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
      const moved = await api(url, "PATCH", "/proxies/a", { listen: taken });
      expect(moved.status).toBe(500);
      expect(moved.json()).toEqual({ error: `listen tcp ${taken}: bind: address already in use`, status: 500 });
      expect((await api(url, "GET", "/proxies/a")).json()).toMatchObject({ listen: taken, enabled: false });
      const reset = await api(url, "POST", "/reset");
      expect(reset.status).toBe(500);
      expect((reset.json() as { error: string }).error).toContain("address already in use");
    } finally {
      blocker.close();
    }
  });

  it("keeps connections when an update names the same address differently (localhost vs 127.0.0.1)", async () => {
    await using tp = await startToxiproxy();
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: echo.address });
    const { dial, roundTripMs } = await import("./fixtures.ts");
    const socket = await dial(proxy.listen);
    await roundTripMs(socket);
    const port = proxy.listen.split(":")[1];
    const same = await api(tp.server.url, "PATCH", "/proxies/a", { listen: `localhost:${port}` });
    expect(same.json()).toMatchObject({ listen: proxy.listen, enabled: true });
    expect(await roundTripMs(socket)).toBeLessThan(100);
    socket.destroy();
  });

  it("populate replaces a proxy whose upstream changed, dropping its toxics", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    await tp.client.createProxy({ name: "a", listen: "127.0.0.1:0", upstream: "x:1" });
    await api(url, "POST", "/proxies/a/toxics", { type: "latency" });
    const res = await api(url, "POST", "/populate", [{ name: "a", listen: "127.0.0.1:0", upstream: "y:2" }]);
    expect(res.status).toBe(201);
    expect((res.json() as { proxies: unknown[] }).proxies).toEqual([
      expect.objectContaining({ name: "a", upstream: "y:2", enabled: true, toxics: [] }),
    ]);
  });

  it("answers unknown paths 404, wrong methods 405 and browsers 403, each with a request id", async () => {
    await using tp = await startToxiproxy();
    const url = tp.server.url;
    const missing = await api(url, "GET", "/nope");
    expect([missing.status, missing.text]).toEqual([404, "404 page not found\n"]);
    expect((await api(url, "GET", "/proxies/")).status).toBe(404);
    expect((await api(url, "GET", "/metrics")).status).toBe(404);
    const wrong = await api(url, "DELETE", "/proxies");
    expect([wrong.status, wrong.text]).toEqual([405, ""]);
    const browser = await api(url, "GET", "/proxies", undefined, { "User-Agent": "Mozilla/5.0" });
    expect([browser.status, browser.text]).toEqual([403, "User agent not allowed\n"]);
    const ok = await api(url, "GET", "/proxies");
    expect(ok.headers.get("x-toxiproxy-request-id")).toMatch(/^[0-9a-v]{20}$/);
  });

  it("serves Prometheus byte counters at /metrics when asked to", async () => {
    await using tp = await startToxiproxy({ metrics: true });
    await using echo = await startEchoServer();
    const proxy = await tp.client.createProxy({ name: "m", listen: "127.0.0.1:0", upstream: echo.address });
    const { dial, roundTripMs } = await import("./fixtures.ts");
    const socket = await dial(proxy.listen);
    await roundTripMs(socket, "hello");
    socket.destroy();
    const res = await api(tp.server.url, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.text).toContain("# TYPE toxiproxy_proxy_received_bytes_total counter");
    expect(res.text).toMatch(/toxiproxy_proxy_sent_bytes_total\{direction="upstream",[^}]*proxy="m"[^}]*\} 5/);
    expect(res.text).toMatch(/toxiproxy_proxy_received_bytes_total\{direction="downstream",[^}]*proxy="m"[^}]*\} 5/);
  });
});
