/** What the benches share: tool lookup, free ports, waiting for HTTP, and an nginx upstream. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Whether `command` is on PATH. */
export function has(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers 2xx; polls every 100 ms, throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** A started nginx: its port, its process, and a stop that also removes its directory. */
export interface Nginx {
  port: number;
  child: ChildProcess;
  stop(): void;
}

/**
 * nginx (Debian's nginx-light, `bash scripts/setup-bench-tools.sh`) with one worker answering every
 * GET with `body`, keep-alive without limits, no access log; pinned to `core` with taskset when given.
 * Undefined when nginx is not installed.
 */
export async function startNginx(body: string, core?: number): Promise<Nginx | undefined> {
  if (!has("nginx")) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "bench-nginx-"));
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server { listen 127.0.0.1:${port}; location / { default_type text/plain; return 200 "${body}"; } }
}
`,
  );
  const args = ["-c", conf, "-p", dir];
  const child =
    core !== undefined && has("taskset")
      ? spawn("taskset", ["-c", String(core), "nginx", ...args], { stdio: "ignore" })
      : spawn("nginx", args, { stdio: "ignore" });
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, 5_000);
  } catch (error) {
    stop();
    throw error;
  }
  return { port, child, stop };
}
