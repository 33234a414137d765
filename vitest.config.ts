import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["harness/**/*.test.ts", "test/**/*.test.ts", "targets/**/*.test.ts", "scenarios/**/*.test.ts"],
    // Real sockets and real containers: long timeouts, and no parallel files fighting over 2 cores.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
