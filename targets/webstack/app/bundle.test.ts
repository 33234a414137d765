import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The image copies the committed bundle, so a source change without `node build.mjs` would ship old code.
describe("webstack app bundle", () => {
  it("dist/server.cjs is what build.mjs makes from src/ today", async () => {
    // @ts-expect-error build.mjs is plain JavaScript without types
    const { bundleText } = (await import("./build.mjs")) as { bundleText: () => Promise<string> };
    const committed = await readFile(path.join(import.meta.dirname, "dist", "server.cjs"), "utf8");
    const fresh = await bundleText();
    expect(fresh === committed, "run: node targets/webstack/app/build.mjs").toBe(true);
  });
});
