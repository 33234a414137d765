import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { contextFiles, parseDockerIgnore } from "./dockerignore.ts";

describe("parseDockerIgnore", () => {
  const cases: Array<[string, string, boolean]> = [
    ["node_modules", "node_modules/x/index.js", true],
    ["node_modules", "app/node_modules/x.js", false],
    ["**/node_modules", "app/node_modules/x.js", true],
    ["*.log", "a.log", true],
    ["*.log", "dir/a.log", false],
    ["**/*.log", "dir/sub/a.log", true],
    ["/reports", "reports/r1/timeline.json", true],
    ["reports/", "reports/r1", true],
    ["doc?", "docs/readme.md", true],
    ["[ab].txt", "b.txt", true],
    ["[ab].txt", "c.txt", false],
    ["# comment", "# comment", false],
    ["*.md\n!README.md", "README.md", false],
    ["*.md\n!README.md", "CHANGES.md", true],
    ["!README.md\n*.md", "README.md", true],
  ];
  it.each(cases)("pattern %j against %j excludes: %s", (text, file, expected) => {
    expect(parseDockerIgnore(text).excludes(file)).toBe(expected);
  });
});

describe("contextFiles", () => {
  let dir = "";
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("leaves out ignored directories and files but keeps the Dockerfile and re-included files", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "harness-ctx-"));
    await mkdir(path.join(dir, "node_modules/pkg"), { recursive: true });
    await mkdir(path.join(dir, "src"), { recursive: true });
    await writeFile(path.join(dir, "node_modules/pkg/index.js"), "x");
    await writeFile(path.join(dir, "src/app.ts"), "x");
    await writeFile(path.join(dir, "src/debug.log"), "x");
    await writeFile(path.join(dir, "notes.md"), "x");
    await writeFile(path.join(dir, "README.md"), "x");
    await writeFile(path.join(dir, "Dockerfile"), "FROM debian:bookworm-slim\n");
    await writeFile(path.join(dir, ".dockerignore"), "node_modules\n**/*.log\n*.md\n!README.md\nDockerfile\n");
    expect(await contextFiles(dir)).toEqual([".dockerignore", "Dockerfile", "README.md", "src/app.ts"]);
  });
});

describe("mayReinclude", () => {
  it("descends into an excluded directory only when a ! line reaches into it", () => {
    const ignore = parseDockerIgnore("node_modules\nconfig\n!config/keep.yaml\n");
    expect(ignore.mayReinclude("node_modules")).toBe(false);
    expect(ignore.mayReinclude("config")).toBe(true);
    expect(parseDockerIgnore("dist\n!**/keep").mayReinclude("dist")).toBe(true);
  });
});
