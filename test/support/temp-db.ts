import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, openDatabase, type Connection } from "../../src/db/connection.js";

export interface TempDatabase {
  readonly file: string;
  readonly connection: Connection;
  /** Closes the connection and deletes the folder. */
  dispose(): void;
}

/** A migrated SQLite database in a fresh temporary folder: every test gets a real file, never a mock. */
export function createTempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-test-"));
  const file = join(dir, "test.db");
  const connection = openDatabase(file);
  applyMigrations(connection);
  return {
    file,
    connection,
    dispose() {
      connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
