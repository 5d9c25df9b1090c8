/**
 * A fresh, empty, fully migrated database for one test (or test file), on the dialect of the running project
 * (vitest.config.ts sets TEST_DIALECT): SQLite, a file in a new temp folder (migrated by whoever opens it);
 * PostgreSQL, `CREATE DATABASE t_<random> TEMPLATE <template>` on the server of test/support/postgres-cluster.ts,
 * every migration already applied.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import type { DatabaseLocation } from "../../src/db/database-url.js";
// For its `declare module "vitest"` (the types of `inject`); nothing of it runs in test workers.
import type {} from "./postgres-cluster.js";

export type TestDialect = "sqlite" | "postgres";

/** The dialect this test project runs on: `TEST_DIALECT` (set per project in vitest.config.ts), default sqlite. */
export function currentDialect(): TestDialect {
  const value = process.env.TEST_DIALECT ?? "sqlite";
  if (value !== "sqlite" && value !== "postgres") {
    throw new Error(`TEST_DIALECT must be "sqlite" or "postgres", not ${JSON.stringify(value)}`);
  }
  return value;
}

export interface TestDatabaseLocation {
  readonly location: DatabaseLocation;
  /** What `DATABASE_URL` would say for it: give it to child processes and servers. */
  readonly url: string;
  /** Deletes the database (PostgreSQL: even with connections still open) or the SQLite folder. */
  dispose(): Promise<void>;
}

export async function createTestDatabaseLocation(
  dialect: TestDialect = currentDialect(),
): Promise<TestDatabaseLocation> {
  return dialect === "postgres" ? createPostgresDatabase() : createSqliteFile();
}

async function createSqliteFile(): Promise<TestDatabaseLocation> {
  const dir = await mkdtemp(join(tmpdir(), "invitation-api-test-"));
  const file = join(dir, "test.db");
  return {
    location: { dialect: "sqlite", file },
    url: file,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function createPostgresDatabase(): Promise<TestDatabaseLocation> {
  const adminUrl = inject("postgresAdminUrl");
  const template = inject("postgresTemplate");
  if (!adminUrl || !template) {
    throw new Error(
      "no PostgreSQL test server: run this file in the `postgres` project (vitest --project postgres)",
    );
  }
  const name = `t_${randomBytes(8).toString("hex")}`;
  await admin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = databaseUrl(adminUrl, name);
  let disposed = false;
  return {
    location: { dialect: "postgres", url },
    url,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await admin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function admin(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** The same server and credentials, another database. */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = "/" + encodeURIComponent(database);
  return url.toString();
}
