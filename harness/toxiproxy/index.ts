export { ProxyCollection } from "./proxies.ts";
export type { ProxyConfig } from "./proxy.ts";
export { toxiproxyVersion } from "./server/routes.ts";
export {
  readProxyConfigFile,
  startToxiproxyServer,
  type ToxiproxyServer,
  type ToxiproxyServerOptions,
} from "./server/start.ts";
export { toxicTypes } from "./toxics/index.ts";
export type { Toxic, ToxicStage, ToxicType } from "./toxics/toxic.ts";
