import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { HarnessError } from "../../errors.ts";

export interface ProcessOptions {
  cwd?: string;
  /** Added to (and winning over) process.env. */
  env?: Record<string, string>;
  /** Abort: SIGTERM, then SIGKILL after killGraceMs. */
  signal?: AbortSignal;
  /** Each complete stdout line, as it arrives. */
  onStdoutLine?: (line: string) => void;
  /** Each complete stderr line, as it arrives. */
  onStderrLine?: (line: string) => void;
  /** Between SIGTERM and SIGKILL when stopping; default 5000. */
  killGraceMs?: number;
  /** Keep at most this many bytes of each stream; default 1 MiB (older output is dropped). */
  maxBufferBytes?: number;
}

export interface ProcessResult {
  /** Exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** A started local process (k6, a helper). Disposing it stops it: SIGTERM, then SIGKILL. */
export interface StartedProcess extends AsyncDisposable {
  readonly pid: number;
  /** Resolves when it has exited (never rejects). */
  readonly exited: Promise<ProcessResult>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, SIGKILL after the grace period; resolves once it has exited. */
  stop(): Promise<ProcessResult>;
}

/**
 * Start a process without a shell. Throws HARNESS_USAGE when the command does not exist.
 * Output is kept (bounded) and also streamed line by line to the callbacks.
 */
export async function startProcess(
  command: string,
  args: string[],
  opts: ProcessOptions = {},
): Promise<StartedProcess> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (e: NodeJS.ErrnoException) => {
      reject(
        e.code === "ENOENT"
          ? new HarnessError("HARNESS_USAGE", `command '${command}' not found`, {
              hint: `install ${command} or put it on PATH`,
              cause: e,
            })
          : new HarnessError("HARNESS_INTERNAL", `cannot start '${command}': ${e.message}`, { cause: e }),
      );
    });
  });
  const max = opts.maxBufferBytes ?? 1024 * 1024;
  const collect = (stream: NodeJS.ReadableStream, onLine?: (line: string) => void) => {
    let kept = "";
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      kept += chunk;
      if (kept.length > max) kept = kept.slice(kept.length - max);
      if (!onLine) return;
      partial += chunk;
      let nl = partial.indexOf("\n");
      while (nl >= 0) {
        onLine(partial.slice(0, nl).replace(/\r$/, ""));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf("\n");
      }
    });
    return {
      text: () => kept,
      flush: () => {
        if (onLine && partial !== "") onLine(partial);
        partial = "";
      },
    };
  };
  const out = collect(child.stdout!, opts.onStdoutLine);
  const err = collect(child.stderr!, opts.onStderrLine);
  const exited = new Promise<ProcessResult>((resolve) => {
    child.once("close", (code, signal) => {
      out.flush();
      err.flush();
      resolve({
        exitCode: code,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        durationMs: performance.now() - started,
      });
    });
  });
  const graceMs = opts.killGraceMs ?? 5000;
  let stopping: Promise<ProcessResult> | undefined;
  const stop = (): Promise<ProcessResult> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    })();
    return stopping;
  };
  const onAbort = (): void => void stop();
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  void exited.then(() => opts.signal?.removeEventListener("abort", onAbort));
  return {
    pid: child.pid!,
    exited,
    kill: (signal = "SIGTERM") => {
      child.kill(signal);
    },
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

/**
 * Run a process to completion and return its output; never throws for a non-zero exit (the
 * caller reads exitCode). `timeoutMs` stops it (SIGTERM, then SIGKILL) and throws HARNESS_INTERNAL.
 */
export async function runProcess(
  command: string,
  args: string[],
  opts: ProcessOptions & { timeoutMs?: number } = {},
): Promise<ProcessResult> {
  const proc = await startProcess(command, args, opts);
  if (opts.timeoutMs === undefined) return proc.exited;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop();
  }, opts.timeoutMs);
  const result = await proc.exited;
  clearTimeout(timer);
  if (timedOut) {
    throw new HarnessError(
      "HARNESS_INTERNAL",
      `'${command}' did not finish within ${opts.timeoutMs} ms and was stopped`,
      {
        hint: "raise the timeout or check what the command waits for",
      },
    );
  }
  return result;
}

/** The absolute path of an executable on PATH, or undefined when there is none (like `command -v`). */
export async function findExecutable(name: string): Promise<string | undefined> {
  if (name.includes("/")) return (await isExecutable(name)) ? path.resolve(name) : undefined;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
