import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Interop tests start real daemons and bind fixed loopback ports: never run two files at once there.
    fileParallelism: true,
    pool: "forks",
  },
});
