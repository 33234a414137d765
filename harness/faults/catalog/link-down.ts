import { type Applied, BaseFault, checks, type FaultContext } from "../fault.ts";
import { toxiproxyApi } from "../toxiproxy-api.ts";

export interface LinkDownOptions {
  /** The Toxiproxy proxy to disable (a named link of the topology). */
  link: string;
  /** Fault id; default `link-down-<link>`. */
  id?: string;
}

/**
 * A link down: the proxy is disabled (it closes its connections and refuses new ones) and
 * enabled again on revert.
 */
export class LinkDownFault extends BaseFault {
  readonly kind = "link-down";
  readonly target: string;

  constructor(readonly options: LinkDownOptions) {
    super(options.id);
    this.target = options.link;
  }

  protected check(problem: (option: string, message: string) => void): void {
    const bad = checks.name(this.options.link);
    if (bad) problem("link", bad);
  }

  describe(): string {
    return `link ${this.target} down (proxy disabled until reverted)`;
  }

  params(): Record<string, unknown> {
    return { link: this.target };
  }

  protected async apply(ctx: FaultContext): Promise<Applied> {
    const api = toxiproxyApi(ctx.toxiproxyUrl);
    await api.setEnabled(this.target, false);
    return {
      heal: async () => {
        await api.setEnabled(this.target, true);
      },
    };
  }
}

/** Disable a link's proxy while the fault lasts. */
export function linkDown(o: LinkDownOptions): LinkDownFault {
  return new LinkDownFault(o);
}
