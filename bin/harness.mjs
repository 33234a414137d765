#!/usr/bin/env node
// The harness is TypeScript end to end (scenarios too), so the CLI loads it through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../harness/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
