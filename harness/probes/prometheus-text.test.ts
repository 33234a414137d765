import { describe, expect, it } from "vitest";
import { PromParseError, parsePrometheusText } from "./prometheus-text.ts";

describe("parsePrometheusText", () => {
  it("reads the exposition format's own example", () => {
    // The example from the Prometheus exposition format documentation.
    const text = [
      "# HELP http_requests_total The total number of HTTP requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      "",
      "# Escaping in label values:",
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      "",
      "# Minimalistic line:",
      "metric_without_timestamp_and_labels 12.47",
      "",
      "# A weird metric from before the epoch:",
      'something_weird{problem="division by zero"} +Inf -3982045',
      "",
      "# A histogram, which has a pretty complex representation in the text format:",
      "# HELP http_request_duration_seconds A histogram of the request duration.",
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      "http_request_duration_seconds_sum 53423",
      "http_request_duration_seconds_count 144320",
      "",
      "# Finally a summary, which has a complex representation, too:",
      "# HELP rpc_duration_seconds A summary of the RPC duration in seconds.",
      "# TYPE rpc_duration_seconds summary",
      'rpc_duration_seconds{quantile="0.01"} 3102',
      'rpc_duration_seconds{quantile="0.99"} 76656',
      "rpc_duration_seconds_sum 1.7560473e+07",
      "rpc_duration_seconds_count 2693",
    ].join("\n");
    const { families, samples } = parsePrometheusText(text);
    expect(samples).toHaveLength(13);
    expect(samples[0]).toEqual({
      name: "http_requests_total",
      family: "http_requests_total",
      type: "counter",
      labels: { method: "post", code: "200" },
      value: 1027,
      timestampMs: 1395066363000,
    });
    expect(samples[2]!.labels).toEqual({ path: "C:\\DIR\\FILE.TXT", error: 'Cannot find file:\n"FILE.TXT"' });
    expect(samples[2]!.value).toBe(1.458255915e9);
    expect(samples[3]).toMatchObject({ name: "metric_without_timestamp_and_labels", type: "untyped", value: 12.47 });
    expect(samples[4]).toMatchObject({ value: Number.POSITIVE_INFINITY, timestampMs: -3982045 });
    expect(samples[6]).toMatchObject({
      family: "http_request_duration_seconds",
      type: "histogram",
      labels: { le: "+Inf" },
    });
    expect(samples[8]).toMatchObject({
      name: "http_request_duration_seconds_count",
      family: "http_request_duration_seconds",
    });
    expect(samples[12]).toMatchObject({
      name: "rpc_duration_seconds_count",
      family: "rpc_duration_seconds",
      type: "summary",
    });
    expect(families.get("http_requests_total")!.help).toBe("The total number of HTTP requests.");
  });

  it("reads what prom-client writes", async () => {
    const client = await import("prom-client");
    const registry = new client.Registry();
    const c = new client.Counter({
      name: "orders_total",
      help: 'Orders, "quoted"\\ back',
      labelNames: ["status"],
      registers: [registry],
    });
    c.inc({ status: "ok" }, 5);
    const g = new client.Gauge({
      name: "breaker_state",
      help: "0 closed, 2 open",
      labelNames: ["dependency"],
      registers: [registry],
    });
    g.set({ dependency: 'db "read"' }, 2);
    const h = new client.Histogram({ name: "lat_seconds", help: "latency", buckets: [0.1, 1], registers: [registry] });
    h.observe(0.5);
    const { samples, families } = parsePrometheusText(await registry.metrics());
    expect(samples.find((s) => s.name === "orders_total")).toMatchObject({
      type: "counter",
      value: 5,
      labels: { status: "ok" },
    });
    expect(samples.find((s) => s.name === "breaker_state")!.labels).toEqual({ dependency: 'db "read"' });
    expect(samples.filter((s) => s.family === "lat_seconds")).toHaveLength(5);
    expect(families.get("orders_total")!.help).toBe('Orders, "quoted"\\ back');
  });

  it("accepts a trailing comma, tabs, NaN and CRLF line ends", () => {
    const { samples } = parsePrometheusText('a{x="1",}\t NaN\r\nb -1.5e-3\r\n');
    expect(samples[0]!.labels).toEqual({ x: "1" });
    expect(samples[0]!.value).toBeNaN();
    expect(samples[1]!.value).toBe(-0.0015);
  });

  it.each([
    ["a value that is no number", "up one", /line 1: bad value "one"/],
    ["a missing value", 'up{a="b"}', /line 1: no value for up/],
    ["an unterminated label value", 'up{a="b} 1', /unterminated value for label a/],
    ["a label without quotes", "up{a=b} 1", /expected a quoted value for label a/],
    ["a repeated label", 'up{a="1",a="2"} 1', /label a repeated in up/],
    ["a bad escape", 'up{a="\\t"} 1', /bad escape/],
    ["a bad timestamp", "up 1 12.5", /bad timestamp "12.5"/],
    ["extra fields", "up 1 2 3", /unexpected "3"/],
    ["an unknown type", "# TYPE up meter", /unknown type "meter" for up/],
    ["a second TYPE", "# TYPE up gauge\n# TYPE up gauge", /line 2: second TYPE line for up/],
    ["a TYPE after the samples", "up 1\n# TYPE up gauge", /line 2: TYPE for up after its samples/],
    ["a second HELP", "# HELP up a\n# HELP up b", /second HELP line for up/],
    ["a bad metric name", "1up 1", /expected a metric name/],
    ["a missing comma", 'up{a="1" b="2"} 1', /expected , or } after label a/],
  ])("rejects %s, naming the line", (_what, text, message) => {
    expect(() => parsePrometheusText(text)).toThrow(PromParseError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});
