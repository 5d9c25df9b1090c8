import { fillPlaceholders, getTableColumns, getTableName, sql, type SQL, type Table } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { ChangeChannel } from "./database.js";

export type Dialect = "sqlite" | "postgres";

/** The few places where one statement's SQL differs between the dialects. */
export interface DialectSql {
  readonly dialect: Dialect;
  /**
   * Row locks for check-then-write on PostgreSQL (READ COMMITTED). Empty on SQLite, whose transactions
   * begin IMMEDIATE and so already hold the whole database for writing.
   */
  readonly forUpdate: SQL;
  /** A lock on a parent row that still lets other transactions insert its children (no FK conflict). */
  readonly forNoKeyUpdate: SQL;
  /** Claims by several workers at once: each skips the rows another holds. */
  readonly forUpdateSkipLocked: (table: string) => SQL;
  /** As forUpdate, locking only this table's row of a join. */
  readonly forUpdateOf: (table: string) => SQL;
}

const DIALECT_SQL: Record<Dialect, DialectSql> = {
  sqlite: {
    dialect: "sqlite",
    forUpdate: sql.empty(),
    forNoKeyUpdate: sql.empty(),
    forUpdateSkipLocked: () => sql.empty(),
    forUpdateOf: () => sql.empty(),
  },
  postgres: {
    dialect: "postgres",
    forUpdate: sql.raw(" FOR UPDATE"),
    forNoKeyUpdate: sql.raw(" FOR NO KEY UPDATE"),
    // `OF`: with a LEFT JOIN, PostgreSQL refuses to lock the nullable side.
    forUpdateSkipLocked: (table) => sql.raw(` FOR UPDATE OF ${table} SKIP LOCKED`),
    forUpdateOf: (table) => sql.raw(` FOR UPDATE OF ${table}`),
  },
};

const RENDERERS = { sqlite: new SQLiteSyncDialect(), postgres: new PgDialect() };

/** SQL text in one dialect, with its parameters (placeholders still unfilled). */
export interface CompiledStatement {
  readonly name: string;
  readonly text: string;
  readonly params: readonly unknown[];
}

export interface StatementOptions<T> {
  /** Builds the result value from one raw row (default: the row as it is). */
  readonly map?: (row: Record<string, unknown>) => T;
  /**
   * The change signal this statement's writes raise once committed. PostgreSQL raises it by trigger
   * (see drizzle/pg); SQLite, with no other listener than this process, by the statement's own run.
   */
  readonly signals?: ChangeChannel;
}

const names = new Set<string>();

/**
 * One SQL statement written once for both dialects, compiled lazily per dialect and reused: SQLite keeps a
 * prepared statement per text, PostgreSQL a named prepared statement per connection. Parameters are drizzle
 * placeholders (`sql.placeholder("id")`), filled from a values object at each run.
 */
export class Statement<T> {
  private readonly compiled: Partial<Record<Dialect, CompiledStatement>> = {};

  constructor(
    readonly name: string,
    private readonly build: (d: DialectSql) => SQL,
    readonly map: ((row: Record<string, unknown>) => T) | null,
    readonly signals: ChangeChannel | null,
  ) {
    // PostgreSQL prepares by name: two texts under one name would fail at run time.
    if (names.has(name)) throw new Error(`statement name "${name}" is used twice`);
    names.add(name);
  }

  compile(dialect: Dialect): CompiledStatement {
    let compiled = this.compiled[dialect];
    if (!compiled) {
      const query = RENDERERS[dialect].sqlToQuery(this.build(DIALECT_SQL[dialect]));
      compiled = { name: this.name, text: query.sql, params: query.params };
      this.compiled[dialect] = compiled;
    }
    return compiled;
  }

  /** The parameter values in the order the compiled text expects them. */
  values(dialect: Dialect, values: Record<string, unknown> | undefined): unknown[] {
    return fillPlaceholders([...this.compile(dialect).params], values ?? {});
  }
}

/** Declares a statement; `name` must be unique in the process (it names the PostgreSQL prepared statement). */
export function statement<T = Record<string, unknown>>(
  name: string,
  build: SQL | ((d: DialectSql) => SQL),
  options: StatementOptions<T> = {},
): Statement<T> {
  return new Statement<T>(
    name,
    typeof build === "function" ? build : () => build,
    options.map ?? null,
    options.signals ?? null,
  );
}

/** A named parameter. */
export const p = (name: string): SQL => sql`${sql.placeholder(name)}`;

/**
 * `"table"."column" AS "jsName", …` for every column of a drizzle table: rows then come back with the
 * schema's JS names on both dialects. With `prefix`, aliases are `"prefix.jsName"` (see `nest`).
 */
export function columnsOf(table: Table, prefix?: string): SQL {
  const tableName = getTableName(table);
  const list = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const alias = prefix === undefined ? key : `${prefix}.${key}`;
    return `"${tableName}"."${column.name}" AS "${alias}"`;
  });
  return sql.raw(list.join(", "));
}

/** Turns `{ "user.id": 1, "tenant.id": 2 }` into `{ user: { id: 1 }, tenant: { id: 2 } }`. */
export function nest(row: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const nested: Record<string, Record<string, unknown>> = {};
  for (const [alias, value] of Object.entries(row)) {
    const dot = alias.indexOf(".");
    const group = alias.slice(0, dot);
    (nested[group] ??= {})[alias.slice(dot + 1)] = value;
  }
  return nested;
}
