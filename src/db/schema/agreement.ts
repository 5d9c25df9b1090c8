/**
 * Compile-time proof that the SQLite and PostgreSQL schemas describe the same tables: for every table, the
 * table name, the SQL name of every column, and the `$inferSelect` / `$inferInsert` row types must be
 * identical. When a column is added, renamed, retyped or made nullable in one file only, `npm run typecheck`
 * fails here, naming the table. Nothing in this file runs.
 */
import type * as pg from "./postgres.js";
import type * as sqlite from "./sqlite.js";

/** Exact type identity (stricter than mutual assignability: an extra optional column also fails). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Accepts only `true`: `Assert<Equals<A, B>>` is a type error when A and B differ. */
type Assert<T extends true> = T;

interface AnyTable {
  readonly _: {
    readonly name: string;
    readonly columns: Record<string, { readonly _: { readonly name: string } }>;
  };
  readonly $inferSelect: unknown;
  readonly $inferInsert: unknown;
}

/** Property name → SQL column name, e.g. `{ tenantId: "tenant_id", ... }`. */
type ColumnNames<T extends AnyTable> = { [K in keyof T["_"]["columns"]]: T["_"]["columns"][K]["_"]["name"] };

/** What agrees between two tables; every member must come out `true`. */
interface Agreement<S extends AnyTable, P extends AnyTable> {
  tableName: Equals<S["_"]["name"], P["_"]["name"]>;
  columnNames: Equals<ColumnNames<S>, ColumnNames<P>>;
  select: Equals<S["$inferSelect"], P["$inferSelect"]>;
  insert: Equals<S["$inferInsert"], P["$inferInsert"]>;
}
interface Agrees {
  tableName: true;
  columnNames: true;
  select: true;
  insert: true;
}
/** On a mismatch, tsc names the member that came out `false`: "Types of property 'select' are incompatible". */
type Check<T extends Agrees> = T;

/** A table exported by one schema only, or missing from `SchemaAgreement`, fails here. */
type Tables<M> = { [K in keyof M as M[K] extends AnyTable ? K : never]: M[K] };
export type SameTables = [
  Assert<Equals<keyof Tables<typeof sqlite>, keyof Tables<typeof pg>>>,
  Assert<Equals<keyof Tables<typeof sqlite>, keyof SchemaAgreement>>,
];

export interface SchemaAgreement {
  tenants: Check<Agreement<typeof sqlite.tenants, typeof pg.tenants>>;
  users: Check<Agreement<typeof sqlite.users, typeof pg.users>>;
  apiKeys: Check<Agreement<typeof sqlite.apiKeys, typeof pg.apiKeys>>;
  invitations: Check<Agreement<typeof sqlite.invitations, typeof pg.invitations>>;
  emailOutbox: Check<Agreement<typeof sqlite.emailOutbox, typeof pg.emailOutbox>>;
  auditEvents: Check<Agreement<typeof sqlite.auditEvents, typeof pg.auditEvents>>;
  idempotencyKeys: Check<Agreement<typeof sqlite.idempotencyKeys, typeof pg.idempotencyKeys>>;
  webhookEndpoints: Check<Agreement<typeof sqlite.webhookEndpoints, typeof pg.webhookEndpoints>>;
  webhookDeliveries: Check<Agreement<typeof sqlite.webhookDeliveries, typeof pg.webhookDeliveries>>;
}
