import type { Database } from "./database.js";
import type { DatabaseLocation } from "./database-url.js";
import {
  DEFAULT_POSTGRES_OPTIONS,
  PostgresDatabase,
  type PostgresOptions,
} from "./postgres/postgres-database.js";
import { SqliteDatabase } from "./sqlite/sqlite-database.js";

/** Opens the database `DATABASE_URL` named; SQLite files are created as needed. Nothing is migrated here. */
export function openDatabase(
  location: DatabaseLocation,
  postgres: PostgresOptions = DEFAULT_POSTGRES_OPTIONS,
): Database {
  switch (location.dialect) {
    case "sqlite":
      return SqliteDatabase.open(location.file);
    case "postgres":
      return new PostgresDatabase(location.url, postgres);
    default: {
      const _exhaustive: never = location;
      throw new Error(`unknown database ${JSON.stringify(_exhaustive)}`);
    }
  }
}
