import type { DatabaseLocation } from "./database-url.js";
import type { Dialect, Statement } from "./statement.js";

export type { DatabaseLocation } from "./database-url.js";
export type { Dialect } from "./statement.js";

/** Values for a statement's named placeholders. */
export type StatementValues = Record<string, unknown>;

/**
 * Statements on one connection: autocommit, or inside a transaction. Values come back with the same JS types
 * on both dialects: integers and epoch-millisecond timestamps as numbers, text as strings.
 */
export interface SqlSession {
  readonly dialect: Dialect;
  all<T>(statement: Statement<T>, values?: StatementValues): Promise<T[]>;
  get<T>(statement: Statement<T>, values?: StatementValues): Promise<T | undefined>;
  /** Resolves to the number of rows changed. */
  run(statement: Statement<unknown>, values?: StatementValues): Promise<number>;
}

/**
 * Change signals: `key_owners_changed` (API keys, users, tenants), `email_outbox` (an email became due) and
 * `webhook_deliveries` (a webhook delivery became due). A `run` that changed no row signals nothing.
 */
export type ChangeChannel = "key_owners_changed" | "email_outbox" | "webhook_deliveries";

/** Every channel, for listeners that subscribe to all of them. */
export const CHANGE_CHANNELS: readonly ChangeChannel[] = [
  "key_owners_changed",
  "email_outbox",
  "webhook_deliveries",
];

export interface Database extends SqlSession {
  readonly location: DatabaseLocation;
  /**
   * Runs `work` in one transaction and commits what it wrote, or rolls everything back if it throws.
   * SQLite: `BEGIN IMMEDIATE`, with every other statement of this process held back until it ends.
   * PostgreSQL: READ COMMITTED on a pooled connection; `work` takes row locks for its check-then-write.
   */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Raw SQL for tests, operators and the CLI; `?` placeholders on both dialects. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Applies pending migrations under a lock (several processes may start at once); resolves to how many. */
  migrate(): Promise<number>;
  migrationsAreCurrent(): Promise<boolean>;
  /**
   * Calls `listener` whenever a committed change may concern `channel`, by this process or another, and
   * whenever signals may have been missed (a PostgreSQL listener reconnected). Returns the unsubscriber.
   */
  onChange(channel: ChangeChannel, listener: () => void): () => void;
  /**
   * SQLite only: a number that moves whenever another connection (another process) committed, read without
   * a round trip; PostgreSQL answers null and signals through `onChange` instead.
   */
  commitsByOthers(): number | null;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
