import type { Database } from "../../../src/db/database.js";
import { withDatabaseAt } from "../../support/temp-db.js";

/** The tables a request may write to. */
const TABLES = [
  "tenants",
  "users",
  "api_keys",
  "invitations",
  "email_outbox",
  "audit_events",
  "idempotency_keys",
];

/**
 * Rows per table, read through a connection of its own (so nothing is trusted from the code under test), and
 * the total of every invitation's sendCount, which changes without adding a row.
 */
export function rowCounts(target: string | Database): Promise<Record<string, number>> {
  if (typeof target === "string") return withDatabaseAt(target, rowCounts);
  return count(target);
}

async function count(database: Database): Promise<Record<string, number>> {
  {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await database.query<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`);
      counts[table] = row!.n;
    }
    const [sum] = await database.query<{ n: number }>(
      "SELECT coalesce(sum(send_count), 0) AS n FROM invitations",
    );
    counts["invitations.send_count"] = Number(sum!.n);
    return counts;
  }
}
