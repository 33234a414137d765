import { createHash } from "node:crypto";
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import { pack } from "tar-fs";
import { HarnessError } from "../../errors.ts";
import { dockerClient, dockerError } from "./client.ts";
import { contextFiles } from "./dockerignore.ts";

export interface BuildImageOptions {
  /** Absolute path of the build context directory. */
  context: string;
  /** Dockerfile path relative to the context; default "Dockerfile". */
  dockerfile?: string;
  /** Build arguments (ARG). */
  args?: Record<string, string>;
  /** The image name to tag, e.g. "three-services-app:latest". */
  tag: string;
  labels?: Record<string, string>;
  /** Who asked for it, for error messages (a compose service name). */
  service?: string;
  /** Each output line of the build ("Step 2/5 : RUN ..."), for progress displays. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** How many lines of build output an error may quote. */
const tailLines = 40;

const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;
const stripAnsi = (s: string): string => s.replace(ansi, "");

/**
 * Build an image from a directory with Docker's layer cache. The context honours `.dockerignore`.
 * Throws HARNESS_IMAGE_BUILD_FAILED quoting the failing step's output.
 * @returns the built image id
 */
export async function buildImage(opts: BuildImageOptions): Promise<string> {
  const docker = dockerClient();
  const dockerfile = (opts.dockerfile ?? "Dockerfile").split(path.sep).join("/");
  const who = opts.service ? ` (service '${opts.service}')` : "";
  let files: string[];
  try {
    files = await contextFiles(opts.context, dockerfile);
  } catch (cause) {
    throw new HarnessError(
      "HARNESS_COMPOSE_INVALID",
      `build context ${opts.context}${who} cannot be read: ${String(cause)}`,
      {
        hint: "fix build.context in the compose file",
        cause,
      },
    );
  }
  if (!files.includes(dockerfile)) {
    throw new HarnessError("HARNESS_COMPOSE_INVALID", `no ${dockerfile} in build context ${opts.context}${who}`, {
      hint: "fix build.dockerfile or build.context in the compose file",
    });
  }
  // Same context, Dockerfile, args and base images as the image already tagged: nothing to build.
  const digest = await contextDigest(opts.context, files, dockerfile, opts.args ?? {});
  const existing = await imageInfo(opts.tag);
  if (existing && existing.labels[contextDigestLabel] === digest) {
    opts.onLine?.(`image ${opts.tag} is up to date (context digest ${digest.slice(0, 12)})`);
    return existing.id;
  }
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.buildImage(pack(opts.context, { entries: files }), {
      t: opts.tag,
      dockerfile,
      buildargs: opts.args ?? {},
      labels: { ...opts.labels, [contextDigestLabel]: digest },
      rm: true,
      forcerm: true,
      ...(opts.signal ? { abortSignal: opts.signal } : {}),
    })) as NodeJS.ReadableStream;
  } catch (cause) {
    throw dockerError(`building image ${opts.tag}${who}`, cause);
  }
  const recent: string[] = [];
  let imageId = "";
  let failure: string | undefined;
  const onLine = (line: string): void => {
    recent.push(line);
    if (recent.length > tailLines) recent.shift();
    opts.onLine?.(line);
  };
  await new Promise<void>((resolve, reject) => {
    let buffered = "";
    const handle = (raw: string): void => {
      if (raw.trim() === "") return;
      let event: { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } };
      try {
        event = JSON.parse(raw);
      } catch {
        onLine(raw);
        return;
      }
      if (event.error || event.errorDetail) failure = event.errorDetail?.message ?? event.error;
      if (event.aux?.ID) imageId = event.aux.ID;
      if (event.stream) {
        // The classic builder colours a step's stderr; the error should read as plain text.
        for (const l of stripAnsi(event.stream).split("\n")) if (l.trim() !== "") onLine(l.trimEnd());
      }
    };
    stream.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let nl = buffered.indexOf("\n");
      while (nl >= 0) {
        handle(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf("\n");
      }
    });
    stream.on("end", () => {
      handle(buffered);
      resolve();
    });
    stream.on("error", (e) => reject(e));
  }).catch((cause) => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? cause;
    throw dockerError(`building image ${opts.tag}${who}`, cause);
  });
  if (failure !== undefined) {
    // Quote the failing step: its "Step n/m" line and what it printed.
    const stepAt = recent.findLastIndex((l) => /^Step \d+\/\d+ :/.test(l));
    const quoted = recent
      .slice(Math.max(0, stepAt))
      .filter((l) => !/^(Removing intermediate container| ---> )/.test(l));
    throw new HarnessError(
      "HARNESS_IMAGE_BUILD_FAILED",
      `image ${opts.tag}${who} failed to build: ${stripAnsi(failure).trim()}\n${quoted.map((l) => `  | ${l}`).join("\n")}`,
      { hint: `fix the Dockerfile in ${opts.context}` },
    );
  }
  return imageId || (await imageIdOf(opts.tag)) || opts.tag;
}

/** Image label holding the digest of what built it (see contextDigest). */
export const contextDigestLabel = "io.harness.context-digest";

/**
 * A digest of everything a build reads: each context file's path, size and modification time,
 * the Dockerfile path, the build args, and the ids of the local images it starts FROM.
 */
export async function contextDigest(
  context: string,
  files: string[],
  dockerfile: string,
  args: Record<string, string>,
): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`dockerfile=${dockerfile}\n`);
  for (const [k, v] of Object.entries(args).sort(([a], [b]) => a.localeCompare(b))) hash.update(`arg ${k}=${v}\n`);
  for (const file of files) {
    const st = await lstat(path.join(context, file));
    hash.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
  }
  const text = await readFile(path.join(context, dockerfile), "utf8").catch(() => "");
  for (const m of text.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)) {
    hash.update(`from ${m[1]}=${(await imageInfo(m[1]!).catch(() => undefined))?.id ?? "?"}\n`);
  }
  return hash.digest("hex");
}

/** Id and labels of a local image, or undefined when it is not there. */
export async function imageInfo(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
  try {
    const info = await dockerClient().getImage(name).inspect();
    return { id: info.Id, labels: info.Config?.Labels ?? {} };
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw dockerError(`inspecting image ${name}`, cause);
  }
}

/** The id of a local image, or undefined when it is not there. */
export async function imageIdOf(name: string): Promise<string | undefined> {
  try {
    const info = await dockerClient().getImage(name).inspect();
    return info.Id;
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return undefined;
    throw dockerError(`inspecting image ${name}`, cause);
  }
}

/** Pull an image that is not local; throws HARNESS_DOCKER_FAILED when no registry has it. */
export async function pullImage(name: string): Promise<void> {
  const docker = dockerClient();
  try {
    const stream = (await docker.pull(name)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  } catch (cause) {
    throw new HarnessError(
      "HARNESS_DOCKER_FAILED",
      `image ${name} is not local and cannot be pulled: ${String((cause as Error).message ?? cause)}`,
      {
        hint: "build it (add build: to the service) or load it with 'docker load'",
        cause,
      },
    );
  }
}

/** Remove a local image by name; one already gone is not an error. */
export async function removeImage(name: string): Promise<void> {
  try {
    await dockerClient().getImage(name).remove({ force: true });
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) return;
    throw dockerError(`removing image ${name}`, cause);
  }
}
