import { HarnessError } from "../../errors.ts";

// Placeholder until this command lands; replaced by its owner.
export async function run(_argv: string[]): Promise<number> {
  throw new HarnessError("HARNESS_USAGE", "'harness ps' is not built yet", { hint: "see the open issues" });
}
