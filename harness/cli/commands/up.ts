import { HarnessError } from "../../errors.ts";
import { readCurrentRun, runExists, type StartedTopology, up, writeCurrentRun } from "../../topology/index.ts";
import { parseCommandArgs } from "../args.ts";
import { createProgress } from "../progress.ts";

const help = `Usage: harness up [-f compose.yaml] [--profile P]... [--env KEY=VALUE]... [options]

Start a topology from a compose file and leave it running; 'harness down' removes it.

Options:
  -f, --file PATH           compose file or directory (default: compose.yaml here)
  -p, --profile NAME        enable services of this profile (repeatable)
  -e, --env KEY=VALUE       variable for \${VAR} interpolation, wins over the environment (repeatable)
      --run-id ID           run id (default: r<yyyymmdd-hhmmss>-<4 hex>)
      --reports DIR         where logs go at down (default: reports)
      --health-timeout S    seconds each service may take to become healthy (default: 120)
  -h, --help                this text

Ctrl-C while starting removes everything started so far and exits 130.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv);
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1)
      throw new HarnessError("HARNESS_USAGE", `--env '${pair}' is not KEY=VALUE`, { hint: "e.g. --env PORT=8080" });
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const healthTimeoutS = values["health-timeout"] === undefined ? 120 : Number(values["health-timeout"]);
  if (!Number.isFinite(healthTimeoutS) || healthTimeoutS <= 0) {
    throw new HarnessError(
      "HARNESS_USAGE",
      `--health-timeout '${values["health-timeout"]}' is not a number of seconds`,
      { hint: "e.g. --health-timeout 60" },
    );
  }

  const previous = await readCurrentRun();
  const progress = createProgress();
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      progress.log(`${sig}: stopping, removing what was started (Ctrl-C again twice to quit at once)`);
      controller.abort(new Error(`interrupted by ${sig}`));
    } else if (signals >= 3) {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let topo: StartedTopology;
  try {
    topo = await up({
      file: values.file ?? "compose.yaml",
      ...(values["run-id"] ? { runId: values["run-id"] } : {}),
      ...(values.profile ? { profiles: values.profile } : {}),
      env,
      ...(values.reports ? { reportsDir: values.reports } : {}),
      healthTimeoutMs: healthTimeoutS * 1000,
      signal: controller.signal,
      detached: true,
      onProgress: (e) => progress.update(e.service, e.state, e.detail),
    });
  } finally {
    progress.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  await writeCurrentRun({
    runId: topo.runId,
    project: topo.project,
    file: topo.model.file,
    ...(values.reports ? { reportsDir: values.reports } : {}),
  });
  const lines = [`run ${topo.runId} (${topo.project}) is up: ${topo.services().length} services`];
  for (const service of topo.services()) {
    const ports = topo.model.services[service]?.ports ?? [];
    const published = ports.map(
      (p) =>
        `${p.containerPort}/${p.protocol} -> 127.0.0.1:${topo.endpoint(service, p.containerPort, p.protocol).port}`,
    );
    lines.push(`  ${service}${published.length > 0 ? `  ${published.join(", ")}` : ""}`);
  }
  if (previous && previous.runId !== topo.runId && (await runExists(previous.runId).catch(() => false))) {
    lines.push(`note: run ${previous.runId} is still up; remove it with 'harness down --run-id ${previous.runId}'`);
  }
  lines.push("remove it with 'harness down'");
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function parseFlags(argv: string[]) {
  return parseCommandArgs(
    "up",
    argv,
    {
      file: { type: "string", short: "f" },
      profile: { type: "string", short: "p", multiple: true },
      env: { type: "string", short: "e", multiple: true },
      "run-id": { type: "string" },
      reports: { type: "string" },
      "health-timeout": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    false,
  );
}
