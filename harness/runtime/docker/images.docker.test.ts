import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHarnessError } from "../../errors.ts";
import { pingDocker } from "./client.ts";
import { buildImage, imageIdOf, removeImage } from "./images.ts";

const dockerUp = await pingDocker().then(
  () => true,
  () => false,
);
const suite = dockerUp || process.env.HARNESS_REQUIRE_DOCKER === "1" ? describe : describe.skip;
const tag = `harness-test-build-${process.pid}:latest`;
const badTag = `harness-test-broken-${process.pid}:latest`;

suite("buildImage against real Docker", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "harness-build-"));
  });
  afterAll(async () => {
    await removeImage(tag).catch(() => undefined);
    await removeImage(badTag).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("sends the context without what .dockerignore excludes", async () => {
    const ctx = path.join(dir, "ok");
    await mkdir(path.join(ctx, "node_modules/big"), { recursive: true });
    await mkdir(path.join(ctx, "docker"), { recursive: true });
    await writeFile(path.join(ctx, "node_modules/big/index.js"), "x".repeat(10_000));
    await writeFile(path.join(ctx, "keep.txt"), "kept\n");
    await writeFile(path.join(ctx, "debug.log"), "noise\n");
    await writeFile(path.join(ctx, ".dockerignore"), "node_modules\n*.log\n");
    await writeFile(
      path.join(ctx, "docker/app.Dockerfile"),
      'FROM debian:bookworm-slim\nARG GREETING=none\nCOPY . /ctx\nRUN test ! -e /ctx/node_modules && test ! -e /ctx/debug.log && test -e /ctx/keep.txt && echo "$GREETING" > /greeting\n',
    );
    const lines: string[] = [];
    const id = await buildImage({
      context: ctx,
      dockerfile: "docker/app.Dockerfile",
      tag,
      args: { GREETING: "hi" },
      onLine: (l) => lines.push(l),
    });
    expect(id).toMatch(/^sha256:/);
    expect(await imageIdOf(tag)).toBe(id);
    expect(lines.some((l) => l.startsWith("Step 1/"))).toBe(true);
  });

  it("skips a build whose context, Dockerfile and args are unchanged, and rebuilds when a file changes", async () => {
    const ctx = path.join(dir, "ok");
    const first: string[] = [];
    const id = await buildImage({
      context: ctx,
      dockerfile: "docker/app.Dockerfile",
      tag,
      args: { GREETING: "hi" },
      onLine: (l) => first.push(l),
    });
    expect(first).toEqual([expect.stringMatching(/is up to date/)]);
    expect(await imageIdOf(tag)).toBe(id);
    // Ignored files do not count; a kept file does.
    await writeFile(path.join(ctx, "debug.log"), "more noise\n");
    const second: string[] = [];
    await buildImage({
      context: ctx,
      dockerfile: "docker/app.Dockerfile",
      tag,
      args: { GREETING: "hi" },
      onLine: (l) => second.push(l),
    });
    expect(second).toEqual([expect.stringMatching(/is up to date/)]);
    await writeFile(path.join(ctx, "keep.txt"), "changed\n");
    const third: string[] = [];
    await buildImage({
      context: ctx,
      dockerfile: "docker/app.Dockerfile",
      tag,
      args: { GREETING: "hi" },
      onLine: (l) => third.push(l),
    });
    expect(third.some((l) => l.startsWith("Step 1/"))).toBe(true);
    const fourth: string[] = [];
    await buildImage({
      context: ctx,
      dockerfile: "docker/app.Dockerfile",
      tag,
      args: { GREETING: "bye" },
      onLine: (l) => fourth.push(l),
    });
    expect(fourth.some((l) => l.startsWith("Step 1/"))).toBe(true);
  });

  it("fails with HARNESS_IMAGE_BUILD_FAILED quoting the failing step's output", async () => {
    const ctx = path.join(dir, "broken");
    await mkdir(ctx, { recursive: true });
    await writeFile(
      path.join(ctx, "Dockerfile"),
      "FROM debian:bookworm-slim\nRUN echo 'compiling widget' && echo 'widget.c:1: error: broken' >&2 && exit 3\n",
    );
    const error = await buildImage({ context: ctx, tag: badTag, service: "widget" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHarnessError(error) && error.code).toBe("HARNESS_IMAGE_BUILD_FAILED");
    const message = (error as Error).message;
    expect(message).toMatch(
      /image harness-test-broken-\d+:latest \(service 'widget'\) failed to build: .*returned a non-zero code: 3/,
    );
    expect(message).toContain("| compiling widget");
    expect(message).toContain("| widget.c:1: error: broken");
    expect((error as { exitCode: number }).exitCode).toBe(3);
  });
});
