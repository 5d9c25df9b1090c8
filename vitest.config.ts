import { configDefaults, defineConfig } from "vitest/config";

/**
 * Every test file runs twice: in the `sqlite` project and in the `postgres` project (TEST_DIALECT tells
 * test/support/test-database.ts which database to hand out). `test/sqlite-only/` and `test/postgres-only/`
 * run in one project each. `npm test` runs both; `npx vitest run --project sqlite` runs one.
 * The postgres project starts a throwaway PostgreSQL 15 cluster (test/support/postgres-cluster.ts) unless
 * TEST_DATABASE_URL names a server to use.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // type-graphql, graphql-scalars and Apollo must share the test's copy of graphql (see STACK.md: "another module or realm").
    server: { deps: { inline: ["type-graphql", "graphql-scalars", "@apollo/server"] } },
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          env: { TEST_DIALECT: "sqlite" },
          exclude: [...configDefaults.exclude, "test/postgres-only/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          env: { TEST_DIALECT: "postgres" },
          exclude: [...configDefaults.exclude, "test/sqlite-only/**"],
          globalSetup: ["test/support/postgres-cluster.ts"],
        },
      },
    ],
  },
});
