import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { SqliteDatabase } from "../../src/db/sqlite/sqlite-database.js";
import { Store } from "../../src/db/store.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";

let temp: TempDatabase;
let db: SqliteDatabase;
let probe: SqliteDatabase;
beforeEach(async () => {
  temp = await createTempDatabase();
  db = temp.database as SqliteDatabase;
  await db.query("CREATE TABLE blobs (data BLOB)");
  probe = SqliteDatabase.open(db.file);
});
afterEach(async () => {
  await probe.close();
  await temp.dispose();
});

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(20);
  }
}

const autocheckpointPages = () => db.sqlite.pragma("wal_autocheckpoint", { simple: true });
/** Frames in the WAL now: asked through another connection, whose checkpoint finds nothing left to copy. */
const walFrames = () => (probe.sqlite.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0]!.log;
const writeMiB = (mib: number) => {
  const insert = db.sqlite.prepare("INSERT INTO blobs VALUES (randomblob(1048576))");
  for (let i = 0; i < mib; i++) insert.run();
};

it("copies commits into the database file from another thread, and resets a long WAL", async () => {
  db.checkpointInBackground();
  // This connection stops checkpointing once the thread runs.
  await eventually(() => autocheckpointPages() === 0);
  const before = statSync(db.file).size;

  writeMiB(2);
  await eventually(() => statSync(db.file).size >= before + 2 * 1024 * 1024);

  writeMiB(20);
  // 20 MiB is over 4000 frames: once the thread has copied them, this connection resets the WAL, and the
  // next commit starts it afresh.
  await eventually(() => {
    db.sqlite.prepare("INSERT INTO blobs VALUES (x'00')").run();
    return walFrames() < 4000;
  });
});

it("is started by a store once its connection has committed 1000 transactions", async () => {
  const start = vi.spyOn(db, "checkpointInBackground").mockImplementation(() => {});
  const store = new Store(db);

  for (let i = 0; i < 999; i++) await store.transaction(async () => null);
  expect(start).not.toHaveBeenCalled();
  for (let i = 0; i < 1001; i++) await store.transaction(async () => null);
  expect(start).toHaveBeenCalledTimes(1);
});

it("stops with its connection, leaving every commit readable", async () => {
  db.checkpointInBackground();
  await eventually(() => autocheckpointPages() === 0);
  writeMiB(1);

  await db.close();

  expect(probe.sqlite.prepare("SELECT count(*) AS n FROM blobs").get()).toEqual({ n: 1 });
});

it("is not started for an in-memory database, which has no WAL to checkpoint", async () => {
  const memory = SqliteDatabase.open(":memory:");
  try {
    memory.checkpointInBackground();
    expect(memory.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  } finally {
    await memory.close();
  }
});
