// tar-fs ships with dockerode (its build-context packer) but without types; only pack() is used.
declare module "tar-fs" {
  import type { Readable } from "node:stream";
  export function pack(cwd: string, opts?: { entries?: string[]; dereference?: boolean }): Readable;
}
