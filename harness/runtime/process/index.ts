// Local processes (k6, helpers): the only place, beside docker/, that imports child_process.
export {
  findExecutable,
  type ProcessOptions,
  type ProcessResult,
  runProcess,
  type StartedProcess,
  startProcess,
} from "./spawn.ts";
