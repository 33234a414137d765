import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { HarnessError } from "../errors.ts";
import { isScenario, type Scenario } from "./define.ts";

/** Where scenarios live: `<cwd>/scenarios/<name>.ts`. */
export function scenariosDir(cwd = process.cwd()): string {
  return path.join(cwd, "scenarios");
}

/** Resolve a CLI word (`failover-primary`) or a path (`./my.ts`) to a scenario file. */
export function resolveScenarioFile(nameOrPath: string, cwd = process.cwd()): string {
  const asPath = path.resolve(cwd, nameOrPath);
  if (/\.[cm]?[tj]s$/.test(nameOrPath)) {
    if (existsSync(asPath)) return asPath;
    throw new HarnessError("HARNESS_SCENARIO_INVALID", `scenario file ${nameOrPath} does not exist`, {
      hint: "check the path, or run 'harness list'",
    });
  }
  const file = path.join(scenariosDir(cwd), `${nameOrPath}.ts`);
  if (existsSync(file)) return file;
  const known = listScenarioFiles(cwd).map((f) => path.basename(f, ".ts"));
  throw new HarnessError("HARNESS_USAGE", `unknown scenario '${nameOrPath}'`, {
    hint: known.length > 0 ? `known scenarios: ${known.join(", ")} (see 'harness list')` : "no scenarios/ folder here",
  });
}

export function listScenarioFiles(cwd = process.cwd()): string[] {
  const dir = scenariosDir(cwd);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.startsWith("_"))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Import a scenario file and check that it default-exports `defineScenario(...)`. */
export async function loadScenario(file: string): Promise<Scenario> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    if (error instanceof HarnessError) {
      throw new HarnessError(error.code, `${path.relative(process.cwd(), file)}: ${error.message}`, {
        hint: error.hint,
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new HarnessError(
      "HARNESS_SCENARIO_INVALID",
      `${path.relative(process.cwd(), file)} failed to load: ${message}`,
      {
        hint: /require\(\) ES Module|Cannot use import statement/.test(message ?? "")
          ? 'scenarios are ES modules: add {"type": "module"} to the package.json beside them'
          : "fix the scenario file (it is TypeScript, imported as an ES module)",
        cause: error,
      },
    );
  }
  if (!isScenario(mod.default)) {
    throw new HarnessError(
      "HARNESS_SCENARIO_INVALID",
      `${path.relative(process.cwd(), file)} has no default export made by defineScenario()`,
      { hint: "end the file with: export default defineScenario({ ... })" },
    );
  }
  return { ...mod.default, file };
}
