import BetterSqlite3 from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { EventEmitter } from "node:events";
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import { migrationsFolders } from "../../paths.js";
import type { ChangeChannel, Database, SqlSession, StatementValues } from "../database.js";
import { shippedMigrationCount } from "../migrations.js";
import type { Statement } from "../statement.js";
import { startBackgroundCheckpoints, type BackgroundCheckpoints } from "./background-checkpoints.js";
import { createDatabaseFolder } from "./database-folder.js";
import { TransactionQueue } from "./transaction-queue.js";

/** How long a writer waits for another connection's write transaction before giving up. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * The settings every process must share: WAL so readers never block the writer, a busy timeout so concurrent
 * writers wait instead of failing, foreign keys enforced, no fsync per commit (WAL stays consistent), and
 * freed pages overwritten, so a purged email body (it holds a live link) does not linger in the file.
 */
export const CONNECTION_PRAGMAS = [
  "journal_mode = WAL",
  `busy_timeout = ${BUSY_TIMEOUT_MS}`,
  "foreign_keys = ON",
  "synchronous = NORMAL",
  "secure_delete = ON",
] as const;

/**
 * Commits after which a connection is a busy server's, whose checkpoints are better made in the background;
 * the CLI and short-lived connections (most tests) never get there, and never start a thread.
 */
const BUSY_AFTER_TRANSACTIONS = 1000;

const MIGRATIONS_TABLE = "__drizzle_migrations";

/** The database file and its WAL and shared-memory files: readable by this user alone (they hold hashes and emails). */
const FILE_MODE = 0o600;

/**
 * Embedded SQLite through better-sqlite3. Its calls are synchronous, so an asynchronous transaction is
 * `BEGIN IMMEDIATE … COMMIT` around the awaited work, with every other statement of this process queued
 * meanwhile: between two of the work's awaits another request's statement would otherwise run inside it.
 */
export class SqliteDatabase implements Database {
  readonly dialect = "sqlite";
  readonly location;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly queue = new TransactionQueue();
  private readonly changes = new EventEmitter();
  private readonly begin: BetterSqlite3.Statement;
  private readonly commit: BetterSqlite3.Statement;
  private readonly rollback: BetterSqlite3.Statement;
  private readonly dataVersion: BetterSqlite3.Statement<[], number>;
  private transactions = 0;
  private checkpoints: BackgroundCheckpoints | null = null;

  private constructor(
    readonly file: string,
    /** The better-sqlite3 connection itself, for SQLite-only maintenance and its tests. */
    readonly sqlite: BetterSqlite3.Database,
  ) {
    this.location = { dialect: "sqlite", file } as const;
    this.begin = sqlite.prepare("BEGIN IMMEDIATE");
    this.commit = sqlite.prepare("COMMIT");
    this.rollback = sqlite.prepare("ROLLBACK");
    this.dataVersion = sqlite.prepare<[], number>("PRAGMA data_version").pluck();
  }

  /** Opens (creating if needed, owner-only) the file with CONNECTION_PRAGMAS. */
  static open(file: string): SqliteDatabase {
    const memory = file === ":memory:";
    if (!memory) {
      createDatabaseFolder(file);
      // Created here, not by SQLite, so that it never exists with the umask's wider mode.
      if (!existsSync(file)) closeSync(openSync(file, "a", FILE_MODE));
    }
    const sqlite = new BetterSqlite3(file);
    for (const pragma of CONNECTION_PRAGMAS) sqlite.pragma(pragma);
    if (!memory) for (const suffix of ["-wal", "-shm"]) restrictMode(file + suffix);
    // From here on, waiting for another connection's lock is this class's job (see retryWhenBusy): SQLite's
    // own busy handler sleeps inside the call, and nothing else of this process could run meanwhile.
    sqlite.pragma("busy_timeout = 0");
    sqlite.defaultSafeIntegers(false);
    return new SqliteDatabase(file, sqlite);
  }

  all<T>(statement: Statement<T>, values?: StatementValues): Promise<T[]> {
    return this.autocommit(statement, () => this.allNow(statement, values));
  }

  get<T>(statement: Statement<T>, values?: StatementValues): Promise<T | undefined> {
    return this.autocommit(statement, () => this.getNow(statement, values));
  }

  run(statement: Statement<unknown>, values?: StatementValues): Promise<number> {
    return this.autocommit(statement, () => this.runNow(statement, values));
  }

  private autocommit<R>(statement: Statement<unknown>, execute: () => R): Promise<R> {
    return retryWhenBusy(() =>
      this.queue.outside(() => {
        const result = execute();
        if (statement.signals && changedSomething(result)) this.changes.emit(statement.signals);
        return result;
      }),
    );
  }

  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (++this.transactions === BUSY_AFTER_TRANSACTIONS) this.checkpointInBackground();
    return this.immediate(work);
  }

  private async immediate<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    const release = await this.queue.acquire();
    const emitted = new Set<ChangeChannel>();
    const tx = new SqliteTransaction(this, emitted);
    try {
      await this.beginImmediate();
      let result: T;
      try {
        result = await work(tx);
        this.commit.run();
      } catch (error) {
        if (this.sqlite.inTransaction) this.rollback.run();
        throw error;
      }
      for (const channel of emitted) this.changes.emit(channel);
      return result;
    } finally {
      tx.end();
      release();
    }
  }

  /** Takes the write lock, waiting (without blocking the thread) while another connection holds it. */
  private beginImmediate(): Promise<void> {
    return retryWhenBusy(() => {
      this.begin.run();
      return Promise.resolve();
    });
  }

  query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    return retryWhenBusy(() =>
      this.queue.outside(() => {
        const prepared = this.sqlite.prepare(text);
        if (prepared.reader) return prepared.all(...params) as T[];
        prepared.run(...params);
        return [];
      }),
    );
  }

  /**
   * Applies pending migrations in one `BEGIN IMMEDIATE` transaction, reading what was applied inside it:
   * a second process starting on the same fresh file waits, then finds nothing left to do. Same table and
   * rules as drizzle's own migrator, which reads outside its transaction and so races.
   */
  async migrate(): Promise<number> {
    const migrations = readMigrationFiles({ migrationsFolder: migrationsFolders.sqlite });
    return this.immediate(async () => {
      this.sqlite.exec(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
      );
      const last = this.sqlite
        .prepare(`SELECT created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at DESC LIMIT 1`)
        .pluck()
        .get() as number | string | undefined;
      const record = this.sqlite.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES (?, ?)`);
      let applied = 0;
      for (const migration of migrations) {
        if (last !== undefined && Number(last) >= migration.folderMillis) continue;
        for (const step of migration.sql) if (step.trim() !== "") this.sqlite.exec(step);
        record.run(migration.hash, migration.folderMillis);
        applied++;
      }
      return applied;
    });
  }

  async migrationsAreCurrent(): Promise<boolean> {
    const [table] = await this.query(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name = '${MIGRATIONS_TABLE}'`,
    );
    if (!table) return false;
    const [row] = await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`);
    return (row?.n ?? 0) >= shippedMigrationCount("sqlite");
  }

  onChange(channel: ChangeChannel, listener: () => void): () => void {
    this.changes.on(channel, listener);
    return () => this.changes.off(channel, listener);
  }

  commitsByOthers(): number {
    return this.dataVersion.get() ?? 0;
  }

  async ping(): Promise<void> {
    await this.query("SELECT 1");
  }

  async close(): Promise<void> {
    const release = await this.queue.acquire();
    try {
      this.checkpoints?.stop();
      this.sqlite.close();
    } finally {
      release();
    }
  }

  /** Moves WAL checkpoints to a background thread (see background-checkpoints.ts); once is enough. */
  checkpointInBackground(): void {
    if (this.checkpoints === null && !this.sqlite.memory)
      this.checkpoints = startBackgroundCheckpoints(this.sqlite);
  }

  /** @internal Runs now, on whatever transaction is open: only for the queue's holder. */
  allNow<T>(statement: Statement<T>, values: StatementValues | undefined): T[] {
    const rows = this.prepared(statement).all(...statement.values("sqlite", values)) as Record<
      string,
      unknown
    >[];
    const { map } = statement;
    return map ? rows.map(map) : (rows as T[]);
  }

  getNow<T>(statement: Statement<T>, values: StatementValues | undefined): T | undefined {
    const row = this.prepared(statement).get(...statement.values("sqlite", values)) as
      Record<string, unknown> | undefined;
    if (row === undefined) return undefined;
    return statement.map ? statement.map(row) : (row as T);
  }

  runNow(statement: Statement<unknown>, values: StatementValues | undefined): number {
    return this.prepared(statement).run(...statement.values("sqlite", values)).changes;
  }

  private prepared(statement: Statement<unknown>): BetterSqlite3.Statement {
    let prepared = this.statements.get(statement.name);
    if (!prepared) {
      prepared = this.sqlite.prepare(statement.compile("sqlite").text);
      this.statements.set(statement.name, prepared);
    }
    return prepared;
  }
}

/** The session a transaction's work runs on: the connection itself, usable only until the transaction ends. */
class SqliteTransaction implements SqlSession {
  readonly dialect = "sqlite";
  private open = true;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly emitted: Set<ChangeChannel>,
  ) {}

  all<T>(statement: Statement<T>, values?: StatementValues): Promise<T[]> {
    return this.now(statement, () => this.database.allNow(statement, values));
  }

  get<T>(statement: Statement<T>, values?: StatementValues): Promise<T | undefined> {
    return this.now(statement, () => this.database.getNow(statement, values));
  }

  run(statement: Statement<unknown>, values?: StatementValues): Promise<number> {
    return this.now(statement, () => this.database.runNow(statement, values));
  }

  end(): void {
    this.open = false;
  }

  private now<R>(statement: Statement<unknown>, execute: () => R): Promise<R> {
    if (!this.open) return Promise.reject(new Error("statement run on a transaction that has ended"));
    try {
      const result = execute();
      // PostgreSQL's triggers signal these at commit; here the transaction does, once it commits.
      if (statement.signals && changedSomething(result)) this.emitted.add(statement.signals);
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

/**
 * Runs `attempt`, and while it fails with SQLITE_BUSY (another connection holds the write lock) tries again
 * after a short pause, for up to BUSY_TIMEOUT_MS: the wait SQLite's busy handler would do, without holding the
 * thread. The first attempt costs nothing more than the call.
 */
function retryWhenBusy<R>(attempt: () => Promise<R>): Promise<R> {
  let first: Promise<R>;
  try {
    first = attempt();
  } catch (error) {
    first = Promise.reject(error as Error);
  }
  return first.catch(async (error: unknown) => {
    const deadline = performance.now() + BUSY_TIMEOUT_MS;
    for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 20)) {
      if (!isBusy(error) || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      try {
        return await attempt();
      } catch (next) {
        error = next;
      }
    }
  });
}

/** A `run` answers how many rows it changed: none, no signal. Rows returned (`get`, `all`) always signal. */
const changedSomething = (result: unknown) => typeof result !== "number" || result > 0;

const isBusy = (error: unknown) => (error as { code?: string } | null)?.code === "SQLITE_BUSY";

function restrictMode(path: string): void {
  if (existsSync(path)) chmodSync(path, FILE_MODE);
}
