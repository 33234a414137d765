import { HarnessError } from "../errors.ts";

/**
 * The few Toxiproxy 2.x API calls faults make, in one place so the client can be replaced.
 * Plain fetch rather than toxiproxy-node-client: the client has no timeout and drops the
 * status code and error body, which an idempotent revert needs (404 = already gone).
 */
export interface ToxiproxyApi {
  readonly url: string;
  /** POST /proxies/{proxy}/toxics. A leftover toxic of the same name (409) is replaced. */
  addToxic(proxy: string, toxic: ToxicSpec): Promise<void>;
  /** DELETE /proxies/{proxy}/toxics/{name}; true if it existed (a 404 is not an error). */
  removeToxic(proxy: string, name: string): Promise<boolean>;
  /** POST /proxies/{proxy} {enabled}. */
  setEnabled(proxy: string, enabled: boolean): Promise<void>;
  /** GET /proxies/{proxy}. */
  getProxy(proxy: string): Promise<ProxyState>;
  /** POST /reset: every proxy enabled, every toxic removed (what `harness down` and a fresh run do). */
  reset(): Promise<void>;
}

/** A toxic as the API takes it: attributes in Toxiproxy's own units and names. */
export interface ToxicSpec {
  name: string;
  type: "latency" | "bandwidth" | "slow_close" | "timeout" | "reset_peer" | "slicer" | "limit_data";
  stream: "upstream" | "downstream";
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Array<{ name: string; type: string; stream: string; toxicity: number; attributes: Record<string, number> }>;
}

/** A Toxiproxy API client for `url` (e.g. `http://127.0.0.1:8474`); each call times out after `timeoutMs` (default 5000). */
export function toxiproxyApi(url: string, options: { timeoutMs?: number } = {}): ToxiproxyApi {
  const base = url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 5000;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new HarnessError("HARNESS_FAULT_FAILED", `Toxiproxy API ${method} ${base}${path} unreachable`, {
        hint: "is the run's Toxiproxy up? (harness ps)",
        cause,
      });
    }
    return { status: res.status, text: await res.text() };
  }

  function fail(method: string, path: string, r: { status: number; text: string }): never {
    const hint =
      r.status === 404 ? "check the link name against the Toxiproxy config of the topology" : "see the Toxiproxy logs";
    throw new HarnessError(
      "HARNESS_FAULT_FAILED",
      `Toxiproxy API ${method} ${path} answered ${r.status}: ${r.text.trim().slice(0, 200)}`,
      { hint },
    );
  }

  const enc = encodeURIComponent;
  return {
    url: base,
    async addToxic(proxy, toxic) {
      const path = `/proxies/${enc(proxy)}/toxics`;
      let r = await call("POST", path, toxic);
      if (r.status === 409) {
        // Left over by a run that died before its revert: replace it.
        await this.removeToxic(proxy, toxic.name);
        r = await call("POST", path, toxic);
      }
      if (r.status !== 200) fail("POST", path, r);
    },
    async removeToxic(proxy, name) {
      const path = `/proxies/${enc(proxy)}/toxics/${enc(name)}`;
      const r = await call("DELETE", path);
      if (r.status === 404) return false;
      if (r.status !== 204 && r.status !== 200) fail("DELETE", path, r);
      return true;
    },
    async setEnabled(proxy, enabled) {
      const path = `/proxies/${enc(proxy)}`;
      const r = await call("POST", path, { enabled });
      if (r.status !== 200) fail("POST", path, r);
    },
    async getProxy(proxy) {
      const path = `/proxies/${enc(proxy)}`;
      const r = await call("GET", path);
      if (r.status !== 200) fail("GET", path, r);
      return JSON.parse(r.text) as ProxyState;
    },
    async reset() {
      const r = await call("POST", "/reset");
      if (r.status !== 204 && r.status !== 200) fail("POST", "/reset", r);
    },
  };
}
