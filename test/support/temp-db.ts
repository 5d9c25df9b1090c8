import type { Database } from "../../src/db/database.js";
import { parseDatabaseUrl } from "../../src/db/database-url.js";
import { openDatabase } from "../../src/db/open-database.js";
import { createTestDatabaseLocation, type TestDatabaseLocation } from "./test-database.js";

export interface TempDatabase {
  /** What DATABASE_URL would say: for servers and child processes. */
  readonly url: string;
  readonly location: TestDatabaseLocation["location"];
  readonly database: Database;
  /** Closes the connection and deletes the database. */
  dispose(): Promise<void>;
}

/**
 * A migrated database of its own, on the dialect of the running test project: a real SQLite file or a real
 * PostgreSQL database, never a mock.
 */
export async function createTempDatabase(): Promise<TempDatabase> {
  const created = await createTestDatabaseLocation();
  const database = openDatabase(created.location);
  await database.migrate();
  return {
    url: created.url,
    location: created.location,
    database,
    async dispose() {
      await database.close();
      await created.dispose();
    },
  };
}

/** Opens the database a server or child process uses (its DATABASE_URL) on a connection of its own. */
export async function withDatabaseAt<T>(url: string, use: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(parseDatabaseUrl(url));
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}
