import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // type-graphql must share the test's copy of graphql (see STACK.md: "another module or realm").
    server: { deps: { inline: ["type-graphql"] } },
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
