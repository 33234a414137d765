/**
 * npm run bench:load — the load engine's speed, against one local server in one run:
 *
 *   1. max throughput, closed loop, 50 connections: native engine with full metrics vs undici's raw
 *      dispatch (no metrics) vs autocannon vs wrk (Debian package), with ratios;
 *   2. CPU microseconds per request of the native engine;
 *   3. the highest open-model arrival rate held with under 0.1% late requests (and none dropped);
 *   4. timeline memory after 10 minutes at 1,000 req/s (simulated clock, real recording path), and
 *      the heap through a real 1,000 req/s soak (BENCH_SOAK_SECONDS, default 30).
 *
 * The server is nginx-light (Debian) pinned to the other core when taskset exists, else a bare
 * Node server in a child process. BENCH_SECONDS (default 10) sets each throughput run's length.
 * A missing wrk is reported, not fatal.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import autocannon from "autocannon";
import { type Dispatcher, Pool } from "undici";
import type { Outcome } from "../harness/load/http/client.ts";
import { seededRandom } from "../harness/load/http/random.ts";
import { compileTemplate } from "../harness/load/http/template.ts";
import { type LoadResult, runLoad } from "../harness/load/index.ts";
import { Recorder } from "../harness/load/recorder.ts";
import { manualClock, Timeline } from "../harness/timeline/index.ts";
import { freePort, has, startNginx, waitForHttp } from "./support.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const cleanups: Array<() => void> = [];

function kill(child: ChildProcess): void {
  if (child.exitCode === null) child.kill("SIGTERM");
}

/** nginx-light on one worker pinned to core 1, or a bare Node server in a child process. */
async function startServer(pin: boolean): Promise<{ url: string; name: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const nginx = await startNginx("ok", pin ? 1 : undefined);
  if (nginx !== undefined) {
    cleanups.push(() => nginx.stop());
    return { url: `http://127.0.0.1:${nginx.port}/`, name: `nginx-light (1 worker${pin ? ", core 1" : ""})` };
  }
  const code = `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`;
  const child = pin
    ? spawn("taskset", ["-c", "1", process.execPath, "-e", code], { stdio: "ignore" })
    : spawn(process.execPath, ["-e", code], { stdio: "ignore" });
  cleanups.push(() => kill(child));
  await waitForHttp(url, 5000);
  return { url, name: `bare Node http server (child process${pin ? ", core 1" : ""})` };
}

function cpuUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

async function nativeClosed(url: string): Promise<{ perS: number; cpuUsPerReq: number; result: LoadResult }> {
  const timeline = new Timeline();
  const cpu0 = cpuUs();
  const result = await runLoad({
    baseUrl: url,
    executor: { executor: "constant-vus", vus: CONNECTIONS, duration: `${SECONDS}s` },
    requests: [{ endpoint: "/", path: "/" }],
    http: { connections: CONNECTIONS },
    timeline,
  });
  const cpu = cpuUs() - cpu0;
  const recorded = timeline.aggregate({ metric: "http_reqs" })?.total ?? 0;
  if (recorded !== result.completed)
    throw new Error(`timeline holds ${recorded} requests, engine says ${result.completed}`);
  return { perS: result.completed / SECONDS, cpuUsPerReq: cpu / Math.max(1, result.completed), result };
}

/** undici Pool.dispatch with a do-nothing handler: the floor under the native engine. */
async function undiciRaw(url: string, seconds: number): Promise<number> {
  const pool = new Pool(new URL(url).origin, { connections: CONNECTIONS, pipelining: 1 });
  let done = 0;
  let running = true;
  const opts: Dispatcher.DispatchOptions = { path: "/", method: "GET" };
  const loop = (): void => {
    if (!running) return;
    pool.dispatch(opts, handler as unknown as Dispatcher.DispatchHandler);
  };
  const handler = {
    onConnect() {},
    onHeaders: () => true,
    onData: () => true,
    onComplete() {
      done++;
      loop();
    },
    onError() {
      loop();
    },
  };
  const t0 = performance.now();
  for (let i = 0; i < CONNECTIONS; i++) loop();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const perS = done / ((performance.now() - t0) / 1000);
  await pool.destroy();
  return perS;
}

async function autocannonRaw(url: string): Promise<number> {
  const r = await autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: SECONDS });
  return r.requests.total / SECONDS;
}

function wrk(url: string): number | string {
  if (!has("wrk")) return "wrk is not installed (apt-get install -y wrk): skipped";
  const pin = has("taskset") && process.env.BENCH_PIN !== "0" ? ["taskset", "-c", "0"] : [];
  const out = execFileSync(
    pin[0] ?? "wrk",
    [...pin.slice(1), ...(pin.length ? ["wrk"] : []), "-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, url],
    {
      encoding: "utf8",
    },
  );
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return m ? Number(m[1]) : `could not read wrk output: ${out.split("\n")[0]}`;
}

/**
 * Raise the arrival rate step by step. A rate is held when under 0.1% of requests go out late and
 * none is dropped (the goal's measure); the search goes on while under 1% are late, so a noisy
 * machine still yields a figure, and each failing step is retried once.
 */
async function highestOpenRate(url: string): Promise<{ held: number; heldLoose: number; steps: string[] }> {
  const steps: string[] = [];
  let held = 0;
  let heldLoose = 0;
  const rates = [1000, 2000, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000];
  for (let i = 0, retried = false; i < rates.length; ) {
    const rate = rates[i]!;
    const result = await runLoad({
      baseUrl: url,
      executor: { executor: "constant-arrival-rate", rate, duration: "5s", maxVUs: 5000 },
      requests: [{ endpoint: "/", path: "/" }],
      http: { connections: 200 },
      timeline: new Timeline(),
    });
    const lateFraction = result.late / Math.max(1, result.sent);
    const strict = lateFraction < 0.001 && result.dropped === 0;
    const loose = lateFraction < 0.01 && result.dropped === 0;
    steps.push(
      `${rate}/s: achieved ${Math.round(result.achievedPerS)}/s, late ${(lateFraction * 100).toFixed(3)}%, dropped ${result.dropped}, cpu ${Math.round(result.health.meanCpu * 100)}%, lag ${Math.round(result.health.maxEventLoopLagMs)} ms${strict ? "" : loose ? "  (< 1% late only)" : "  <- not held"}`,
    );
    if (strict) held = Math.max(held, rate);
    if (loose) heldLoose = Math.max(heldLoose, rate);
    if (loose) {
      i++;
      retried = false;
    } else if (!retried) {
      // One retry: a neighbour's burst on the shared cores should not end the search.
      retried = true;
    } else break;
  }
  return { held, heldLoose, steps };
}

/** Real open-model load at 1,000 req/s: heap after each 5 s, to show it stays flat. */
async function soakHeap(url: string, seconds: number): Promise<string> {
  const readings: number[] = [];
  const timer = setInterval(() => {
    gc();
    readings.push(process.memoryUsage().heapUsed / 2 ** 20);
  }, 5000);
  const result = await runLoad({
    baseUrl: url,
    executor: { executor: "constant-arrival-rate", rate: 1000, duration: `${seconds}s` },
    requests: [{ endpoint: "/", path: "/" }],
    timeline: new Timeline(),
  });
  clearInterval(timer);
  const first = readings[1] ?? readings[0] ?? 0;
  const last = readings[readings.length - 1] ?? 0;
  return `soak ${seconds}s at 1,000 req/s (${result.sent} sent, ${result.validity.valid ? "valid" : `invalid: ${result.validity.reasons.map((r) => r.code).join(", ")}`}): heap MB every 5 s ${readings.map((r) => r.toFixed(1)).join(" ")} (drift ${(last - first).toFixed(1)} MB after warm-up)`;
}

function gc(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** 10 minutes at 1,000 req/s through the real Recorder into a Timeline on a simulated clock. */
function timelineMemory(): { heapMB: number; arrayBuffersMB: number; jsonKB: number; series: number; samples: number } {
  gc();
  const before = process.memoryUsage();
  const clock = manualClock();
  const timeline = new Timeline({ clock });
  const recorder = new Recorder(timeline);
  const random = seededRandom(5);
  const templates = ["/users/:id", "/items/:id", "/orders"].map((endpoint, i) =>
    compileTemplate({ endpoint, path: endpoint.replace(":id", "1") }, i, random),
  );
  let samples = 0;
  for (let s = 0; s < 600; s++) {
    for (let i = 0; i < 1000; i++) {
      const at = s * 1000 + i;
      clock.set(at);
      const status = random() < 0.01 ? 503 : 200;
      const o: Outcome = {
        template: templates[i % 3]!,
        intendedMs: at,
        startMs: at,
        endMs: at + Math.exp(random() * 4),
        status,
        error: status === 503 ? "http_5xx" : undefined,
        bytesIn: 120,
        bytesOut: 80,
        body: undefined,
        key: undefined,
      };
      recorder.record(o);
      samples++;
    }
    recorder.lag.gauge(random() * 3, s * 1000);
    recorder.cpu.gauge(0.3, s * 1000);
  }
  gc();
  const after = process.memoryUsage();
  const jsonKB = JSON.stringify(timeline.toJSON()).length / 1024;
  return {
    heapMB: (after.heapUsed - before.heapUsed) / 2 ** 20,
    arrayBuffersMB: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20,
    jsonKB,
    series: timeline.allSeries().length,
    samples,
  };
}

async function main(): Promise<void> {
  const f = (n: number): string => Math.round(n).toLocaleString("en-US");
  // Memory first, before sockets and other runs leave buffers around.
  const mem = timelineMemory();
  console.log(
    `timeline after 10 min at 1,000 req/s (${f(mem.samples)} samples, ${mem.series} series, simulated clock): heap +${mem.heapMB.toFixed(1)} MB, array buffers +${mem.arrayBuffersMB.toFixed(1)} MB, JSON ${f(mem.jsonKB)} KB`,
  );
  const pin = has("taskset") && process.env.BENCH_PIN !== "0";
  if (pin) execFileSync("taskset", ["-cp", "0", String(process.pid)], { stdio: "ignore" });
  const server = await startServer(pin);
  console.log(
    `bench:load — server: ${server.name}; generator: this process${pin ? " on core 0" : ""}; ${SECONDS} s per run`,
  );
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} (2 shared cores: figures are noisy)`,
  );

  // Warm the JIT (undici's parser, our hot path) before anything is measured.
  await undiciRaw(server.url, 2);
  // Interleave the peers and keep each one's best round: other work on the shared cores hits any of them.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const best = { native: 0, nativeCpu: Number.POSITIVE_INFINITY, raw: 0, ac: 0 };
  for (let i = 0; i < rounds; i++) {
    const native = await nativeClosed(server.url);
    const raw = await undiciRaw(server.url, SECONDS);
    const ac = await autocannonRaw(server.url);
    console.log(
      `  round ${i + 1}: native ${f(native.perS)} req/s (${native.cpuUsPerReq.toFixed(1)} CPU µs/req${native.result.validity.valid ? "" : `, flagged ${native.result.validity.reasons.map((r) => r.code).join(",")}`}), undici raw ${f(raw)}, autocannon ${f(ac)}`,
    );
    best.native = Math.max(best.native, native.perS);
    best.nativeCpu = Math.min(best.nativeCpu, native.cpuUsPerReq);
    best.raw = Math.max(best.raw, raw);
    best.ac = Math.max(best.ac, ac);
  }
  console.log(
    `native engine, full metrics, closed loop ${CONNECTIONS} conns: ${f(best.native)} req/s, ${best.nativeCpu.toFixed(1)} CPU µs/req`,
  );
  console.log(`undici raw dispatch, no metrics:               ${f(best.raw)} req/s`);
  console.log(`autocannon (its own client, no timeline):      ${f(best.ac)} req/s`);
  const w = wrk(server.url);
  console.log(typeof w === "number" ? `wrk -t1 -c${CONNECTIONS}:                              ${f(w)} req/s` : w);
  console.log(
    `ratios: native/autocannon ${(best.native / best.ac).toFixed(2)}, native/undici-raw ${(best.native / best.raw).toFixed(2)}${typeof w === "number" ? `, native/wrk ${(best.native / w).toFixed(2)}, autocannon/wrk ${(best.ac / w).toFixed(2)}` : ""}`,
  );
  console.log(`goal: native >= autocannon: ${best.native >= best.ac ? "met" : "NOT met"}`);

  console.log(await soakHeap(server.url, Number(process.env.BENCH_SOAK_SECONDS ?? 30)));
  const open = await highestOpenRate(server.url);
  for (const s of open.steps) console.log(`  open model ${s}`);
  console.log(
    `highest arrival rate held with < 0.1% late and none dropped: ${f(open.held)} req/s (goal 20,000 per core)`,
  );
  console.log(`highest arrival rate held with < 1% late and none dropped:   ${f(open.heldLoose)} req/s`);
}

try {
  await main();
} finally {
  for (const c of cleanups.reverse()) c();
}
