import { statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { openDatabase, type Connection } from "../../src/db/connection.js";
import { Store } from "../../src/db/store.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";

let db: TempDatabase;
let probe: Connection;
beforeEach(() => {
  db = createTempDatabase();
  db.connection.sqlite.exec("CREATE TABLE blobs (data BLOB)");
  probe = openDatabase(db.file);
});
afterEach(() => {
  probe.close();
  db.dispose();
});

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(20);
  }
}

const autocheckpointPages = () => db.connection.sqlite.pragma("wal_autocheckpoint", { simple: true });
/** Frames in the WAL now: asked through another connection, whose checkpoint finds nothing left to copy. */
const walFrames = () => (probe.sqlite.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0]!.log;
const writeMiB = (mib: number) => {
  const insert = db.connection.sqlite.prepare("INSERT INTO blobs VALUES (randomblob(1048576))");
  for (let i = 0; i < mib; i++) insert.run();
};

it("copies commits into the database file from another thread, and resets a long WAL", async () => {
  db.connection.checkpointInBackground();
  // This connection stops checkpointing once the thread runs.
  await eventually(() => autocheckpointPages() === 0);
  const before = statSync(db.file).size;

  writeMiB(2);
  await eventually(() => statSync(db.file).size >= before + 2 * 1024 * 1024);

  writeMiB(20);
  // 20 MiB is over 4000 frames: once the thread has copied them, this connection resets the WAL, and the
  // next commit starts it afresh.
  await eventually(() => {
    db.connection.sqlite.prepare("INSERT INTO blobs VALUES (x'00')").run();
    return walFrames() < 4000;
  });
});

it("is started by a store once its connection has committed 1000 transactions", () => {
  const start = vi.spyOn(db.connection, "checkpointInBackground").mockImplementation(() => {});
  const store = new Store(db.connection);

  for (let i = 0; i < 999; i++) store.transaction(() => null);
  expect(start).not.toHaveBeenCalled();
  for (let i = 0; i < 1001; i++) store.transaction(() => null);
  expect(start).toHaveBeenCalledTimes(1);
});

it("stops with its connection, leaving every commit readable", async () => {
  db.connection.checkpointInBackground();
  await eventually(() => autocheckpointPages() === 0);
  writeMiB(1);

  db.connection.close();

  expect(probe.sqlite.prepare("SELECT count(*) AS n FROM blobs").get()).toEqual({ n: 1 });
});

it("is not started for an in-memory database, which has no WAL to checkpoint", () => {
  const memory = openDatabase(":memory:");
  try {
    memory.checkpointInBackground();
    expect(memory.sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  } finally {
    memory.close();
  }
});
