import { openDatabase } from "../../../src/db/connection.js";

/**
 * Rows per table, read through a connection of its own (so nothing is trusted from the code under test), and
 * the total of every invitation's sendCount, which changes without adding a row.
 */
export function rowCounts(databaseFile: string): Record<string, number> {
  const { sqlite, close } = openDatabase(databaseFile);
  try {
    const tables = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      counts[table] = sqlite.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
    }
    counts["invitations.send_count"] = sqlite
      .prepare("SELECT coalesce(sum(send_count), 0) FROM invitations")
      .pluck()
      .get() as number;
    return counts;
  } finally {
    close();
  }
}
