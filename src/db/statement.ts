import {
  getTableColumns,
  getTableName,
  is,
  Param,
  Placeholder,
  sql,
  type SQL,
  type Table,
} from "drizzle-orm";
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
  /**
   * True when `needle` occurs in `haystack`, exactly (no wildcards, case-sensitive). Not `LIKE ?`: SQLite
   * prepares a statement anew every time a LIKE's pattern parameter is bound (the LIKE optimization
   * depends on its value), 5 µs a call.
   */
  readonly contains: (haystack: SQL, needle: SQL) => SQL;
}

const DIALECT_SQL: Record<Dialect, DialectSql> = {
  sqlite: {
    dialect: "sqlite",
    forUpdate: sql.empty(),
    forNoKeyUpdate: sql.empty(),
    forUpdateSkipLocked: () => sql.empty(),
    forUpdateOf: () => sql.empty(),
    contains: (haystack, needle) => sql`instr(${haystack}, ${needle}) > 0`,
  },
  postgres: {
    dialect: "postgres",
    forUpdate: sql.raw(" FOR UPDATE"),
    forNoKeyUpdate: sql.raw(" FOR NO KEY UPDATE"),
    // `OF`: with a LEFT JOIN, PostgreSQL refuses to lock the nullable side.
    forUpdateSkipLocked: (table) => sql.raw(` FOR UPDATE OF ${table} SKIP LOCKED`),
    forUpdateOf: (table) => sql.raw(` FOR UPDATE OF ${table}`),
    contains: (haystack, needle) => sql`strpos(${haystack}, ${needle}) > 0`,
  },
};

const RENDERERS = { sqlite: new SQLiteSyncDialect(), postgres: new PgDialect() };

/** SQL text in one dialect, with its parameters (placeholders still unfilled). */
export interface CompiledStatement {
  readonly name: string;
  readonly text: string;
  /** The parameter values in the order the text expects them, from a values object. */
  readonly fill: (values: Record<string, unknown>) => unknown[];
}

/** One parameter of a compiled statement: a named placeholder (encoded or not), or a constant. */
type Slot =
  | { readonly name: string; readonly encode: ((value: unknown) => unknown) | null }
  | { readonly name: null; readonly constant: unknown };

/**
 * drizzle's `fillPlaceholders`, with the placeholders found once per statement instead of at every run (its
 * class checks cost a few µs per statement on the hot path).
 */
function filler(params: readonly unknown[]): (values: Record<string, unknown>) => unknown[] {
  const slots: Slot[] = params.map((param) => {
    if (is(param, Placeholder)) return { name: param.name, encode: null };
    if (is(param, Param) && is(param.value, Placeholder)) {
      const { encoder } = param;
      return { name: param.value.name, encode: (value: unknown) => encoder.mapToDriverValue(value) };
    }
    return { name: null, constant: param };
  });
  return (values) => {
    const filled = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.name === null) {
        filled[i] = slot.constant;
        continue;
      }
      if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
      filled[i] = slot.encode ? slot.encode(values[slot.name]) : values[slot.name];
    }
    return filled;
  };
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
      compiled = { name: this.name, text: query.sql, fill: filler(query.params) };
      this.compiled[dialect] = compiled;
    }
    return compiled;
  }

  /** The parameter values in the order the compiled text expects them. */
  values(dialect: Dialect, values: Record<string, unknown> | undefined): unknown[] {
    return this.compile(dialect).fill(values ?? {});
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
 * schema's JS names on both dialects. With `prefix`, aliases are `"prefix.jsName"` (see `nester`).
 */
export function columnsOf(table: Table, prefix?: string): SQL {
  const tableName = getTableName(table);
  const list = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const alias = prefix === undefined ? key : `${prefix}.${key}`;
    return `"${tableName}"."${column.name}" AS "${alias}"`;
  });
  return sql.raw(list.join(", "));
}

/**
 * A row mapper that turns `{ id: 7, "user.id": 1, "tenant.id": 2 }` into `{ id: 7, user: { id: 1 }, tenant: { id: 2 } }`:
 * an alias without a dot stays at the top. One per statement: its rows always have the same columns, so the
 * aliases are split once, at the first row.
 */
export function nester<T = Record<string, Record<string, unknown>>>(): (row: Record<string, unknown>) => T {
  let plan: (readonly [alias: string, group: string | null, key: string])[] | null = null;
  return (row) => {
    plan ??= Object.keys(row).map((alias) => {
      const dot = alias.indexOf(".");
      return dot < 0 ? [alias, null, alias] : [alias, alias.slice(0, dot), alias.slice(dot + 1)];
    });
    const nested: Record<string, unknown> = {};
    for (const [alias, group, key] of plan) {
      if (group === null) nested[key] = row[alias];
      else ((nested[group] ??= {}) as Record<string, unknown>)[key] = row[alias];
    }
    return nested as T;
  };
}
