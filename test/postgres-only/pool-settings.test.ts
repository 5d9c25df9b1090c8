import { afterEach, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { PostgresDatabase } from "../../src/db/postgres/postgres-database.js";
import { p, statement } from "../../src/db/statement.js";
import { createTestDatabaseLocation, type TestDatabaseLocation } from "../support/test-database.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function database(options: {
  poolSize: number;
  statementTimeoutMs: number;
}): Promise<PostgresDatabase> {
  const created: TestDatabaseLocation = await createTestDatabaseLocation("postgres");
  cleanups.push(() => created.dispose());
  const opened = new PostgresDatabase(created.url, options);
  cleanups.push(() => opened.close());
  return opened;
}

it("opens at most DATABASE_POOL_SIZE connections, queueing the rest", async () => {
  const db = await database({ poolSize: 2, statementTimeoutMs: 0 });
  const pids = await Promise.all(
    Array.from({ length: 6 }, () =>
      db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.1)"),
    ),
  );
  expect(new Set(pids.map(([row]) => row!.pid)).size).toBe(2);
});

it("cancels a statement that runs past DATABASE_STATEMENT_TIMEOUT_SECONDS, and the pool goes on", async () => {
  const db = await database({ poolSize: 1, statementTimeoutMs: 200 });
  await expect(db.query("SELECT pg_sleep(2)")).rejects.toMatchObject({ code: "57014" });
  expect(await db.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
});

const insertN = statement("test_pool_insert_n", sql`INSERT INTO t (n) VALUES (${p("n")})`);

it("rolls a failed transaction back and returns its connection to the pool", async () => {
  const db = await database({ poolSize: 1, statementTimeoutMs: 0 });
  await db.query("CREATE TABLE t (n integer)");
  await expect(
    db.transaction(async (tx) => {
      await tx.run(insertN, { n: 1 });
      throw new Error("refused");
    }),
  ).rejects.toThrow("refused");
  // The pool's only connection came back, and nothing of the transaction stayed.
  expect(await db.query("SELECT count(*) AS n FROM t")).toEqual([{ n: 0 }]);
  await db.transaction((tx) => tx.run(insertN, { n: 2 }));
  expect(await db.query("SELECT n FROM t")).toEqual([{ n: 2 }]);
});

it("waits for in-flight queries when closing", async () => {
  const db = await database({ poolSize: 2, statementTimeoutMs: 0 });
  const slow = db.query<{ done: number }>("SELECT 1 AS done FROM pg_sleep(0.3)");
  await new Promise((resolve) => setTimeout(resolve, 50));
  await db.close();
  expect(await slow).toEqual([{ done: 1 }]);
});
