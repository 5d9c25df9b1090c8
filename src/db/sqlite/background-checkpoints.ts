import type Database from "better-sqlite3";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the background thread copies the WAL into the database file. */
const INTERVAL_MS = 100;
/** A WAL this long (16 MiB of 4 KiB pages) is then reset, so it cannot grow without end under steady writes. */
const RESTART_FRAMES = 4000;
/** SQLite's own default, restored if the background thread fails. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The thread's code, as plain JavaScript: it must run the same from dist/, tsx and vitest, none of whose
 * module loaders a worker inherits. PASSIVE copies what it can without waiting for anyone; the thread says
 * when the WAL has grown long enough to be reset.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
setInterval(() => {
  if (passive.get().log < workerData.restartFrames) return;
  // Twice more, each copying what was written during the last: the reset then has little left to copy.
  passive.get();
  passive.get();
  parentPort.postMessage("long");
}, workerData.intervalMs);
parentPort.postMessage("ready");
`;

export interface BackgroundCheckpoints {
  stop(): void;
}

/**
 * Moves WAL checkpoints off the connection's thread. By default SQLite checkpoints inside whichever commit
 * takes the WAL past 1000 pages: that request waits for the copy and its fsyncs (tens of ms), and every
 * commit pays on average about as much for checkpoints as for its own writes. Here a worker thread with its
 * own connection checkpoints every 100 ms instead: commits only append to the WAL, and a page written many
 * times between two checkpoints is copied once. The connection keeps SQLite's own checkpoints until the
 * thread is running, and gets them back if it fails.
 */
export function startBackgroundCheckpoints(sqlite: Database.Database): BackgroundCheckpoints {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the parent's flags (--import tsx, --cpu-prof): the thread needs none of them.
    execArgv: [],
    workerData: {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      file: sqlite.name,
      intervalMs: INTERVAL_MS,
      restartFrames: RESTART_FRAMES,
    },
  });
  // A checkpointer alone must never keep a process alive.
  worker.unref();
  let stopped = false;
  const restoreAutocheckpoints = () => {
    if (!stopped && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.on("message", (message: "ready" | "long") => {
    if (stopped || !sqlite.open) return;
    if (message === "ready") sqlite.pragma("wal_autocheckpoint = 0");
    else restartWal(sqlite);
  });
  worker.once("error", (error) => {
    restoreAutocheckpoints();
    process.emitWarning(
      `background WAL checkpoints stopped; SQLite checkpoints inline again: ${error.message}`,
    );
  });
  worker.once("exit", restoreAutocheckpoints);
  return {
    stop() {
      stopped = true;
      void worker.terminate();
    },
  };
}

/**
 * SQLite starts a WAL over only when a transaction begins with every frame already copied, which never
 * happens under steady writes (without this, the WAL grew by 3 GB in 20 s of benchmark). RESTART copies the
 * rest and lets the next transaction start over. It runs here, between two requests and just after the
 * thread's checkpoints, so little is left to copy (5-15 ms); in the thread it would hold this thread's writers
 * in the busy handler's sleeps for longer. It never waits: a reader in another process holding the WAL only
 * defers the reset to the next message.
 */
function restartWal(sqlite: Database.Database): void {
  const timeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  sqlite.pragma("busy_timeout = 0");
  try {
    sqlite.pragma("wal_checkpoint(RESTART)");
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}
