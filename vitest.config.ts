import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Integration tests start real servers and child processes; give them room on a 2-core CI box.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
