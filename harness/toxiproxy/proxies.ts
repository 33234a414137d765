import { type Handoff, ListenError, type ProxyConfig, TcpProxy } from "./proxy.ts";
import { ApiError } from "./server/errors.ts";

/** Every proxy of a server by name, with the operations that touch several at once. */
export class ProxyCollection implements AsyncDisposable {
  private readonly proxies = new Map<string, TcpProxy>();

  /** `handoff`: where accepted clients go when worker processes proxy them (default: proxied here). */
  constructor(private readonly options: { handoff?: Handoff } = {}) {}

  get(name: string): TcpProxy | undefined {
    return this.proxies.get(name);
  }

  /** Proxies sorted by name. */
  list(): TcpProxy[] {
    return [...this.proxies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Register and (when enabled) start a proxy. 409 on a duplicate name, 500 when it cannot listen. */
  async add(config: ProxyConfig): Promise<TcpProxy> {
    if (this.proxies.has(config.name)) throw new ApiError(409, "proxy already exists");
    const proxy = new TcpProxy(config.name, config.listen, config.upstream, this.options.handoff);
    // Reserve the name before listening so a concurrent create of the same name gets 409.
    this.proxies.set(config.name, proxy);
    if (config.enabled !== false) {
      try {
        await proxy.start();
      } catch (error) {
        this.proxies.delete(config.name);
        throw asApiError(error);
      }
    }
    return proxy;
  }

  async remove(proxy: TcpProxy): Promise<void> {
    if (this.proxies.get(proxy.name) === proxy) this.proxies.delete(proxy.name);
    proxy.toxics.clear();
    await proxy.stop();
  }

  /** Merge a partial update; a changed listen or upstream restarts the proxy. 500 when it cannot listen. */
  async update(proxy: TcpProxy, change: Partial<Omit<ProxyConfig, "name">>): Promise<void> {
    const listen = change.listen ?? proxy.listen;
    const upstream = change.upstream ?? proxy.upstream;
    const enabled = change.enabled ?? proxy.enabled;
    if (await proxy.differs({ listen, upstream })) {
      const wasEnabled = proxy.enabled;
      await proxy.stop();
      proxy.listen = listen;
      proxy.upstream = upstream;
      if (wasEnabled && enabled) await startOrThrow(proxy);
    }
    if (enabled && !proxy.enabled) await startOrThrow(proxy);
    if (!enabled && proxy.enabled) await proxy.stop();
  }

  /**
   * Create or replace proxies in order. An entry equal to an existing proxy (same resolved listen,
   * same upstream) is left as it is, toxics and all; any other replaces the old proxy.
   */
  async populate(configs: readonly ProxyConfig[]): Promise<TcpProxy[]> {
    const done: TcpProxy[] = [];
    for (const config of configs) {
      const existing = this.proxies.get(config.name);
      if (existing !== undefined && !(await existing.differs(config))) {
        done.push(existing);
        continue;
      }
      if (existing !== undefined) {
        existing.toxics.clear();
        await existing.stop();
      }
      const proxy = new TcpProxy(config.name, config.listen, config.upstream, this.options.handoff);
      if (config.enabled !== false) {
        try {
          await proxy.start();
        } catch (error) {
          const apiError = asApiError(error);
          throw new ApiError(apiError.status, apiError.message, { proxies: done });
        }
      }
      this.proxies.set(config.name, proxy);
      done.push(proxy);
    }
    return done;
  }

  /** Enable every proxy and remove every toxic; open connections stay. */
  async reset(): Promise<void> {
    for (const proxy of this.list()) {
      proxy.toxics.clear();
      if (!proxy.enabled) await startOrThrow(proxy);
    }
  }

  /** Stop every proxy and forget them. */
  async clear(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((p) => p.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.clear();
  }
}

async function startOrThrow(proxy: TcpProxy): Promise<void> {
  try {
    await proxy.start();
  } catch (error) {
    throw asApiError(error);
  }
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ListenError) return new ApiError(500, error.message);
  return new ApiError(500, error instanceof Error ? error.message : String(error));
}
