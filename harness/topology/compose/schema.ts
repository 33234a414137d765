import { z } from "zod";

/**
 * The Compose spec subset the harness runs, as zod schemas over the raw (interpolated) YAML.
 * Objects are strict: an unknown key is an error. `x-` extension keys are removed before
 * validation (see stripExtensions), as the spec allows them at the top level and in services.
 */

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const stringOrList = z.union([z.string(), z.array(z.string())]);
const mapOrList = z.union([z.record(z.string(), z.union([scalar, z.null()])), z.array(z.string())]);
const duration = z.union([z.string(), z.number()]);

const build = z.union([
  z.string(),
  z.strictObject({
    context: z.string().optional(),
    dockerfile: z.string().optional(),
    args: mapOrList.optional(),
  }),
]);

const port = z.union([
  z.number(),
  z.string(),
  z.strictObject({
    target: z.union([z.number(), z.string()]),
    published: z.union([z.number(), z.string()]).optional(),
    host_ip: z.string().optional(),
    protocol: z.enum(["tcp", "udp"]).optional(),
    mode: z.literal("host").optional(),
  }),
]);

const volumeMount = z.union([
  z.string(),
  z.strictObject({
    type: z.enum(["volume", "bind", "tmpfs"]),
    source: z.string().optional(),
    target: z.string(),
    read_only: z.boolean().optional(),
    tmpfs: z.strictObject({ size: z.union([z.number(), z.string()]).optional() }).optional(),
    volume: z.strictObject({ nocopy: z.boolean().optional() }).optional(),
    bind: z.strictObject({ create_host_path: z.boolean().optional() }).optional(),
  }),
]);

const dependsOn = z.union([
  z.array(z.string()),
  z.record(
    z.string(),
    z.strictObject({
      condition: z.enum(["service_started", "service_healthy", "service_completed_successfully"]).optional(),
      required: z.boolean().optional(),
      restart: z.boolean().optional(),
    }),
  ),
]);

const healthcheck = z.strictObject({
  test: stringOrList.optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(0).optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: z.boolean().optional(),
});

const serviceNetworks = z.union([
  z.array(z.string()),
  z.record(
    z.string(),
    z.union([
      z.null(),
      z.strictObject({
        aliases: z.array(z.string()).optional(),
      }),
    ]),
  ),
]);

export const serviceSchema = z.strictObject({
  image: z.string().optional(),
  build: build.optional(),
  command: stringOrList.optional(),
  entrypoint: stringOrList.optional(),
  environment: mapOrList.optional(),
  env_file: stringOrList.optional(),
  ports: z.array(port).optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  networks: serviceNetworks.optional(),
  volumes: z.array(volumeMount).optional(),
  tmpfs: stringOrList.optional(),
  depends_on: dependsOn.optional(),
  healthcheck: healthcheck.optional(),
  labels: mapOrList.optional(),
  profiles: z.array(z.string()).optional(),
  restart: z.enum(["no", "always", "on-failure", "unless-stopped"]).optional(),
  hostname: z.string().optional(),
  user: z.union([z.string(), z.number()]).optional(),
  working_dir: z.string().optional(),
  stop_signal: z.string().optional(),
  stop_grace_period: duration.optional(),
  cap_add: z.array(z.string()).optional(),
  cap_drop: z.array(z.string()).optional(),
  init: z.boolean().optional(),
  privileged: z.boolean().optional(),
  extra_hosts: mapOrList.optional(),
  shm_size: z.union([z.string(), z.number()]).optional(),
  mem_limit: z.union([z.string(), z.number()]).optional(),
  cpus: z.union([z.string(), z.number()]).optional(),
  ulimits: z
    .record(z.string(), z.union([z.number(), z.strictObject({ soft: z.number(), hard: z.number() })]))
    .optional(),
  sysctls: mapOrList.optional(),
});
export type RawService = z.infer<typeof serviceSchema>;

const networkSchema = z.union([
  z.null(),
  z.strictObject({
    driver: z.string().optional(),
    internal: z.boolean().optional(),
    labels: mapOrList.optional(),
  }),
]);

const volumeSchema = z.union([
  z.null(),
  z.strictObject({
    driver: z.string().optional(),
    labels: mapOrList.optional(),
  }),
]);

export const composeSchema = z.strictObject({
  /** Obsolete in the spec; accepted and ignored. */
  version: z.union([z.string(), z.number()]).optional(),
  name: z.string().optional(),
  services: z.record(z.string(), z.union([serviceSchema, z.null()])),
  networks: z.record(z.string(), networkSchema).optional(),
  volumes: z.record(z.string(), volumeSchema).optional(),
});
export type RawCompose = z.infer<typeof composeSchema>;

/** Drop `x-` keys at the top level, in services, networks and volumes (compose extensions). */
export function stripExtensions(doc: unknown): unknown {
  if (!isRecord(doc)) return doc;
  const top = withoutX(doc);
  for (const section of ["services", "networks", "volumes"]) {
    const entries = top[section];
    if (!isRecord(entries)) continue;
    const cleaned: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entries)) cleaned[name] = isRecord(value) ? withoutX(value) : value;
    top[section] = cleaned;
  }
  return top;
}

function withoutX(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !k.startsWith("x-")));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
