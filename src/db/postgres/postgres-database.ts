import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { EventEmitter } from "node:events";
import pg from "pg";
import { migrationsFolders } from "../../paths.js";
import {
  CHANGE_CHANNELS,
  type ChangeChannel,
  type Database,
  type SqlSession,
  type StatementValues,
} from "../database.js";
import { shippedMigrationCount } from "../migrations.js";
import type { Statement } from "../statement.js";
import { ChangeListener } from "./change-listener.js";

export interface PostgresOptions {
  /** Connections in the pool. */
  readonly poolSize: number;
  /** A statement running longer is cancelled by the server (0: no limit). */
  readonly statementTimeoutMs: number;
  /** Told when the change listener loses or regains its connection. */
  readonly onListenerError?: (error: Error) => void;
}

export const DEFAULT_POSTGRES_OPTIONS: PostgresOptions = { poolSize: 10, statementTimeoutMs: 30_000 };

/** Any fixed number: the key of the advisory lock that lets one instance at a time migrate. */
const MIGRATION_LOCK_KEY = 7_302_215_001;

const CONNECT_TIMEOUT_MS = 10_000;

/** SQLSTATEs of a transaction that lost a race and may simply run again. */
const RETRYABLE = new Set(["40001", "40P01"]);
const MAX_ATTEMPTS = 3;

/**
 * bigint (int8) as a JS number: epoch milliseconds and counts stay far below 2^53, and the SQLite adapter
 * answers numbers too. Per pool, not pg's global parser.
 */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

type Queryable = pg.Pool | pg.PoolClient;

/** PostgreSQL 15+ through node-postgres: a pool, named prepared statements, LISTEN for change signals. */
export class PostgresDatabase implements Database {
  readonly dialect = "postgres";
  readonly location;
  private readonly pool: pg.Pool;
  private readonly changes = new EventEmitter();
  private readonly listener: ChangeListener;
  private closing: Promise<void> | null = null;

  constructor(
    readonly url: string,
    options: PostgresOptions = DEFAULT_POSTGRES_OPTIONS,
  ) {
    this.location = { dialect: "postgres", url } as const;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize,
      // An unreachable server fails a request (and start-up) instead of hanging it.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      types: TYPES,
      ...(options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {}),
    });
    // An idle pooled connection the server drops must not crash the process; the pool replaces it.
    this.pool.on("error", () => {});
    this.changes.setMaxListeners(0);
    this.listener = new ChangeListener(url, CHANGE_CHANNELS, {
      notified: (channel) => this.changes.emit(channel),
      // Signals sent while we were not listening are lost: everyone re-reads.
      resubscribed: () => {
        for (const channel of CHANGE_CHANNELS) this.changes.emit(channel);
      },
      error: (error) => options.onListenerError?.(error),
    });
  }

  async all<T>(statement: Statement<T>, values?: StatementValues): Promise<T[]> {
    const rows = await execute(this.pool, statement, values);
    this.signalLocally(statement.signals);
    return rows;
  }

  async get<T>(statement: Statement<T>, values?: StatementValues): Promise<T | undefined> {
    return (await this.all(statement, values))[0];
  }

  async run(statement: Statement<unknown>, values?: StatementValues): Promise<number> {
    const changed = (await this.pool.query(prepared(statement, values))).rowCount ?? 0;
    if (changed > 0) this.signalLocally(statement.signals);
    return changed;
  }

  /**
   * This process's own committed writes are signalled at once: the trigger's NOTIFY reaches every instance,
   * this one included, but only a few milliseconds later, after the caller's next request may have begun.
   */
  private signalLocally(channel: ChangeChannel | null): void {
    if (channel) this.changes.emit(channel);
  }

  async transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactionOnce(work);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has((error as { code?: string }).code ?? "")) throw error;
      }
    }
  }

  private async transactionOnce<T>(work: (tx: SqlSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const signals = new Set<ChangeChannel>();
    const tx = new PostgresTransaction(client, signals);
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(tx);
      await client.query("COMMIT");
      for (const channel of signals) this.signalLocally(channel);
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // A connection that cannot roll back must not return to the pool.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      tx.end();
      client.release(broken);
    }
  }

  async query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<T[]> {
    let n = 0;
    const numbered = text.replace(/\?/g, () => `$${++n}`);
    return (await this.pool.query(numbered, [...params])).rows as T[];
  }

  /**
   * drizzle's migrator under a session-level advisory lock: instances starting together take turns, and
   * the later ones find nothing left to apply.
   */
  async migrate(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      try {
        const before = await appliedMigrations(client);
        await migrate(drizzle(client), { migrationsFolder: migrationsFolders.postgres });
        return (await appliedMigrations(client)) - before;
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  async migrationsAreCurrent(): Promise<boolean> {
    return (await appliedMigrations(this.pool)) >= shippedMigrationCount("postgres");
  }

  onChange(channel: ChangeChannel, listener: () => void): () => void {
    this.changes.on(channel, listener);
    this.listener.start();
    return () => this.changes.off(channel, listener);
  }

  commitsByOthers(): null {
    return null;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  /** Waits for checked-out connections to come back (in-flight transactions finish), then closes all. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.listener.stop();
      await this.pool.end();
    })();
    return this.closing;
  }
}

class PostgresTransaction implements SqlSession {
  readonly dialect = "postgres";
  private open = true;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly signals: Set<ChangeChannel>,
  ) {}

  async all<T>(statement: Statement<T>, values?: StatementValues): Promise<T[]> {
    this.check();
    const rows = await execute(this.client, statement, values);
    if (statement.signals) this.signals.add(statement.signals);
    return rows;
  }

  async get<T>(statement: Statement<T>, values?: StatementValues): Promise<T | undefined> {
    return (await this.all(statement, values))[0];
  }

  async run(statement: Statement<unknown>, values?: StatementValues): Promise<number> {
    this.check();
    const changed = (await this.client.query(prepared(statement, values))).rowCount ?? 0;
    if (changed > 0 && statement.signals) this.signals.add(statement.signals);
    return changed;
  }

  end(): void {
    this.open = false;
  }

  private check(): void {
    if (!this.open) throw new Error("statement run on a transaction that has ended");
  }
}

/** A named query: each connection parses and plans it once, then only binds values. */
function prepared(statement: Statement<unknown>, values: StatementValues | undefined): pg.QueryConfig {
  const { name, text } = statement.compile("postgres");
  return { name, text, values: statement.values("postgres", values) };
}

async function execute<T>(
  on: Queryable,
  statement: Statement<T>,
  values: StatementValues | undefined,
): Promise<T[]> {
  const { rows } = await on.query(prepared(statement, values));
  const { map } = statement;
  return map ? rows.map(map) : (rows as T[]);
}

async function appliedMigrations(on: Queryable): Promise<number> {
  const table = await on.query<{ t: string | null }>(
    "SELECT to_regclass('drizzle.__drizzle_migrations') AS t",
  );
  if (table.rows[0]?.t == null) return 0;
  const { rows } = await on.query<{ n: number }>("SELECT count(*) AS n FROM drizzle.__drizzle_migrations");
  return Number(rows[0]?.n ?? 0);
}
