import Database from "better-sqlite3";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * With `--mail files` the server's worker delivers in the background; waiting for its backlog before the next
 * interval keeps one target's deliveries from running, uncounted, during another target's measurement.
 * Returns the seconds waited.
 */
export async function waitForDeliveries(databaseFile: string, timeoutSeconds: number): Promise<number> {
  const started = performance.now();
  const sqlite = new Database(databaseFile, { fileMustExist: true });
  try {
    const backlog = sqlite
      .prepare("SELECT count(*) FROM email_outbox WHERE status IN ('queued', 'sending')")
      .pluck();
    while ((backlog.get() as number) > 0) {
      if (performance.now() - started > timeoutSeconds * 1000) {
        throw new Error(`the mail worker did not deliver its backlog within ${timeoutSeconds} s`);
      }
      await sleep(250);
    }
  } finally {
    sqlite.close();
  }
  return (performance.now() - started) / 1000;
}
