import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { migrationsFolder } from "../paths.js";
import { startBackgroundCheckpoints, type BackgroundCheckpoints } from "./background-checkpoints.js";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema>;

export interface Connection {
  readonly sqlite: Database.Database;
  readonly db: Db;
  /** Moves WAL checkpoints to a background thread (see background-checkpoints.ts); once is enough. */
  checkpointInBackground(): void;
  close(): void;
}

/**
 * The settings every process must share: WAL so readers never block the writer, a busy timeout so concurrent
 * writers wait instead of failing, foreign keys enforced, and no fsync per commit (WAL stays consistent).
 */
export const CONNECTION_PRAGMAS = [
  "journal_mode = WAL",
  "busy_timeout = 5000",
  "foreign_keys = ON",
  "synchronous = NORMAL",
] as const;

/** Opens (creating if needed) the SQLite file with CONNECTION_PRAGMAS. */
export function openDatabase(filename: string): Connection {
  if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
  const sqlite = new Database(filename);
  for (const pragma of CONNECTION_PRAGMAS) sqlite.pragma(pragma);
  const db = drizzle(sqlite, { schema });
  let checkpoints: BackgroundCheckpoints | null = null;
  return {
    sqlite,
    db,
    checkpointInBackground() {
      if (checkpoints === null && !sqlite.memory) checkpoints = startBackgroundCheckpoints(sqlite);
    },
    close() {
      checkpoints?.stop();
      sqlite.close();
    },
  };
}

/** Applies pending migrations from `drizzle/`; returns how many were applied. */
export function applyMigrations(connection: Connection): number {
  const before = appliedMigrationCount(connection);
  migrate(connection.db, { migrationsFolder });
  return appliedMigrationCount(connection) - before;
}

/** True when every migration shipped in `drizzle/` has been applied to this database. */
export function migrationsAreCurrent(connection: Connection): boolean {
  return appliedMigrationCount(connection) >= shippedMigrationCount();
}

function appliedMigrationCount({ sqlite }: Connection): number {
  const table = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return 0;
  return (sqlite.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
}

let shipped: number | undefined;
function shippedMigrationCount(): number {
  shipped ??= (
    JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
      entries: unknown[];
    }
  ).entries.length;
  return shipped;
}
