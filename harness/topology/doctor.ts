import { statfs } from "node:fs/promises";
import { createServer } from "node:net";
import { isHarnessError } from "../errors.ts";
import {
  dockerHostDescription,
  dockerInfo,
  dockerSetupHint,
  imageIdOf,
  listRunObjects,
} from "../runtime/docker/index.ts";
import { loadCompose } from "./compose/load.ts";

/** One line of `harness doctor`. */
export interface DoctorCheck {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  /** What to do, when not ok. */
  hint?: string;
}

export interface DoctorOptions {
  /** A compose file whose fixed host ports must be free; skipped when absent or unreadable. */
  file?: string;
  /** The image every target builds on; default "debian:bookworm-slim". */
  baseImage?: string;
  /** Below this much free disk: warn; default 5 GiB. */
  warnFreeBytes?: number;
  /** Below this much free disk: fail; default 1 GiB. */
  failFreeBytes?: number;
}

const GiB = 1024 ** 3;

/** Check what a topology needs: Docker reachable, the base image, free ports, free disk, no leftovers. */
export async function doctor(opts: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const baseImage = opts.baseImage ?? "debian:bookworm-slim";
  let rootDir: string | undefined;
  let dockerOk = false;
  try {
    const info = await dockerInfo();
    dockerOk = true;
    rootDir = info.rootDir;
    checks.push({
      name: "docker",
      status: "ok",
      detail: `Docker ${info.serverVersion} (API ${info.apiVersion}) at ${dockerHostDescription()}, ${info.cpus} CPUs, ${(info.memoryBytes / GiB).toFixed(1)} GiB memory`,
    });
  } catch (e) {
    checks.push({
      name: "docker",
      status: "fail",
      detail: isHarnessError(e) ? e.message : String(e),
      hint: dockerSetupHint,
    });
  }

  if (dockerOk) {
    const id = await imageIdOf(baseImage).catch(() => undefined);
    checks.push(
      id
        ? { name: "base image", status: "ok", detail: `${baseImage} ${id.replace("sha256:", "").slice(0, 12)}` }
        : { name: "base image", status: "fail", detail: `${baseImage} is not present`, hint: dockerSetupHint },
    );
    const left = await listRunObjects().catch(() => undefined);
    if (left) {
      const runs = new Set(left.containers.map((c) => c.labels["io.harness.run"]).filter(Boolean));
      const count = left.containers.length + left.networks.length + left.volumes.length;
      checks.push(
        count === 0
          ? { name: "leftovers", status: "ok", detail: "no harness-labelled objects" }
          : {
              name: "leftovers",
              status: "warn",
              detail: `${left.containers.length} containers, ${left.networks.length} networks, ${left.volumes.length} volumes from ${runs.size} run(s)`,
              hint: "'harness down' removes the current run, 'harness down --all' every run",
            },
      );
    }
  }

  checks.push(await portsCheck(opts.file));
  checks.push(await diskCheck(rootDir, opts.warnFreeBytes ?? 5 * GiB, opts.failFreeBytes ?? GiB));
  return checks;
}

async function portsCheck(file: string | undefined): Promise<DoctorCheck> {
  const ephemeral = await canListen(0);
  if (!ephemeral)
    return {
      name: "ports",
      status: "fail",
      detail: "cannot listen on 127.0.0.1",
      hint: "check the loopback interface",
    };
  if (!file)
    return {
      name: "ports",
      status: "ok",
      detail: "127.0.0.1 accepts listeners (no compose file to check fixed ports)",
    };
  let fixed: Array<{ service: string; port: number }> = [];
  try {
    const model = await loadCompose(file);
    fixed = Object.values(model.services).flatMap((s) =>
      s.ports
        .filter((p) => p.hostPort !== 0 && p.protocol === "tcp")
        .map((p) => ({ service: s.name, port: p.hostPort })),
    );
  } catch (e) {
    return {
      name: "ports",
      status: "warn",
      detail: `could not read ${file}: ${isHarnessError(e) ? e.message : String(e)}`,
    };
  }
  if (fixed.length === 0)
    return {
      name: "ports",
      status: "ok",
      detail: "127.0.0.1 accepts listeners; the compose file publishes ephemeral ports only",
    };
  const busy: string[] = [];
  for (const f of fixed) if (!(await canListen(f.port))) busy.push(`${f.port} (${f.service})`);
  return busy.length === 0
    ? { name: "ports", status: "ok", detail: `fixed ports free: ${fixed.map((f) => f.port).join(", ")}` }
    : {
        name: "ports",
        status: "fail",
        detail: `in use on 127.0.0.1: ${busy.join(", ")}`,
        hint: "stop what holds them, or publish those ports without a host port",
      };
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function diskCheck(rootDir: string | undefined, warnBytes: number, failBytes: number): Promise<DoctorCheck> {
  // The daemon's root dir when it is on this host (usual), else the working directory.
  const candidates = [rootDir, process.cwd()].filter((p): p is string => Boolean(p));
  for (const where of candidates) {
    try {
      const s = await statfs(where);
      const free = s.bavail * s.bsize;
      const detail = `${(free / GiB).toFixed(1)} GiB free at ${where}`;
      if (free < failBytes)
        return {
          name: "disk",
          status: "fail",
          detail,
          hint: "free disk space (docker image prune removes unused images)",
        };
      if (free < warnBytes)
        return { name: "disk", status: "warn", detail, hint: "image builds and logs need a few GiB" };
      return { name: "disk", status: "ok", detail };
    } catch {
      // Not readable from here: try the next place.
    }
  }
  return { name: "disk", status: "warn", detail: "could not read free space" };
}
