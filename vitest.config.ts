import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // type-graphql, graphql-scalars and Apollo must share the test's copy of graphql (see STACK.md: "another module or realm").
    server: { deps: { inline: ["type-graphql", "graphql-scalars", "@apollo/server"] } },
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
