import Database from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { DatabaseLocation } from "../src/db/database-url.js";

const BACKLOG = "SELECT count(*) AS n FROM email_outbox WHERE status IN ('queued', 'sending')";

/**
 * With `--mail files` the server's worker delivers in the background; waiting for its backlog before the next
 * interval keeps one target's deliveries from running, uncounted, during another target's measurement.
 * Returns the seconds waited.
 */
export async function waitForDeliveries(location: DatabaseLocation, timeoutSeconds: number): Promise<number> {
  const started = performance.now();
  const backlog = await backlogCounter(location);
  try {
    while ((await backlog.count()) > 0) {
      if (performance.now() - started > timeoutSeconds * 1000) {
        throw new Error(`the mail worker did not deliver its backlog within ${timeoutSeconds} s`);
      }
      await sleep(250);
    }
  } finally {
    await backlog.close();
  }
  return (performance.now() - started) / 1000;
}

async function backlogCounter(location: DatabaseLocation) {
  if (location.dialect === "sqlite") {
    const sqlite = new Database(location.file, { fileMustExist: true });
    const statement = sqlite.prepare(BACKLOG).pluck();
    return {
      count: async () => Number(statement.get()),
      close: async () => sqlite.close(),
    };
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  return {
    count: async () => Number((await client.query<{ n: string }>(BACKLOG)).rows[0]?.n ?? 0),
    close: () => client.end(),
  };
}
