// Bundles src/main.ts into dist/server.cjs (one file, Node 18, CommonJS) with esbuild.
// `node build.mjs` writes it; `node build.mjs --check` exits 1 when the committed bundle is stale.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "server.cjs");

/** esbuild options shared by the build and the freshness check. */
export const options = {
  // Paths in the bundle's comments are relative to this folder, whatever the caller's cwd.
  absWorkingDir: here,
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  platform: "node",
  target: "node18",
  format: "cjs",
  // pg's optional native binding: never used, never bundled.
  external: ["pg-native"],
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  outfile,
};

/** Returns the bundle's text without writing it. */
export async function bundleText() {
  const r = await build({ ...options, write: false });
  return r.outputFiles[0].text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const fresh = await bundleText();
    let committed = "";
    try {
      committed = readFileSync(outfile, "utf8");
    } catch {}
    if (fresh !== committed) {
      console.error(`${outfile} is stale: run node targets/webstack/app/build.mjs`);
      process.exit(1);
    }
  } else {
    await build(options);
  }
}
