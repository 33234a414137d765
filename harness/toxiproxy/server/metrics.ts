import type { ProxyCollection } from "../proxies.ts";

const counters = [
  ["received", "receivedBytes", "The total bytes received on a given proxy link"],
  ["sent", "sentBytes", "The total bytes sent on a given proxy link"],
] as const;

function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Toxiproxy's -proxy-metrics counters in the Prometheus text format, per proxy and direction. */
export function metricsText(proxies: ProxyCollection): string {
  const lines: string[] = [];
  for (const [word, key, help] of counters) {
    const metric = `toxiproxy_proxy_${word}_bytes_total`;
    lines.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} counter`);
    for (const proxy of proxies.list()) {
      for (const direction of ["downstream", "upstream"] as const) {
        const labels = `direction="${direction}",listener="${label(proxy.listen)}",proxy="${label(proxy.name)}",upstream="${label(proxy.upstream)}"`;
        lines.push(`${metric}{${labels}} ${proxy.counters[direction][key]}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
