/**
 * Upgrading in place: `test/fixtures/legacy-v0.1.0.db` was written by release 0.1.0 (seeded from
 * test/fixtures/acme-globex.json, invitation 9001 resent once through the API, then VACUUMed). Opening it with
 * today's code and migrating must apply only the migrations that release did not have, and keep every row.
 * The expected values are read from the file itself, before today's code touches it.
 */
import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { Database as AppDatabase } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { migrationsFolders, projectRoot } from "../../src/paths.js";

const fixture = join(projectRoot, "test", "fixtures", "legacy-v0.1.0.db");

/** Tables whose rows must survive the upgrade unchanged, with a stable order. */
const KEPT_TABLES = {
  tenants: "id",
  users: "id",
  api_keys: "id",
  invitations: "id",
  email_outbox: "id",
  audit_events: "id",
  idempotency_keys: "id",
} as const;

type Rows = Record<string, Record<string, unknown>[]>;

let dir: string;
let file: string;
let database: AppDatabase | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "invitation-api-legacy-"));
  file = join(dir, "legacy.db");
  copyFileSync(fixture, file);
});

afterEach(async () => {
  await database?.close();
  database = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Every row of every kept table, and the migrations the file records, read with a plain connection. */
function readRaw(path: string): { rows: Rows; migrationsCreatedAt: number[] } {
  const raw = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows: Rows = {};
    for (const [table, order] of Object.entries(KEPT_TABLES)) {
      rows[table] = raw.prepare(`SELECT * FROM "${table}" ORDER BY "${order}"`).all() as Record<
        string,
        unknown
      >[];
    }
    const migrationsCreatedAt = (
      raw.prepare("SELECT created_at FROM __drizzle_migrations ORDER BY created_at").all() as {
        created_at: number;
      }[]
    ).map((row) => Number(row.created_at));
    return { rows, migrationsCreatedAt };
  } finally {
    raw.close();
  }
}

/** `rows` with only the columns the legacy rows have. */
function legacyColumns(
  rows: Record<string, unknown>[],
  legacy: Record<string, unknown>[],
): Record<string, unknown>[] {
  const columns = Object.keys(legacy[0] ?? {});
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column]])));
}

/** The migrations this release ships, by the `when` drizzle's SQLite migrator compares with `created_at`. */
function shippedMigrations(): { tag: string; when: number }[] {
  const journal = JSON.parse(
    readFileSync(join(migrationsFolders.sqlite, "meta", "_journal.json"), "utf8"),
  ) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries;
}

it("the fixture is a 0.1.0 database with data in every table the upgrade must keep", () => {
  const { rows, migrationsCreatedAt } = readRaw(file);
  expect(migrationsCreatedAt).toHaveLength(2);
  expect(rows.tenants!.length).toBeGreaterThan(0);
  expect(rows.users!.length).toBeGreaterThan(0);
  expect(rows.api_keys!.length).toBeGreaterThan(0);
  expect(rows.invitations!.length).toBeGreaterThan(0);
  expect(rows.email_outbox!.length).toBeGreaterThan(0);
  expect(rows.audit_events!.length).toBeGreaterThan(0);
});

it("migrating a 0.1.0 database applies only the newer migrations and keeps every row", async () => {
  const before = readRaw(file);
  const lastApplied = Math.max(...before.migrationsCreatedAt);
  const expectedNew = shippedMigrations().filter((migration) => migration.when > lastApplied);

  database = await openDatabase({ dialect: "sqlite", file });
  expect(await database.migrate()).toBe(expectedNew.length);
  expect(await database.migrationsAreCurrent()).toBe(true);
  // A second start applies nothing.
  expect(await database.migrate()).toBe(0);

  // The same rows through today's code (columns a later migration adds are not compared)...
  for (const [table, order] of Object.entries(KEPT_TABLES)) {
    const rows = await database.query(`SELECT * FROM "${table}" ORDER BY "${order}"`);
    expect(legacyColumns(rows, before.rows[table]!), table).toEqual(before.rows[table]);
  }
  await database.close();
  database = undefined;

  // ...and in the file, once today's code has closed it.
  const after = readRaw(file);
  for (const table of Object.keys(KEPT_TABLES)) {
    expect(legacyColumns(after.rows[table]!, before.rows[table]!), table).toEqual(before.rows[table]);
  }
  expect(after.migrationsCreatedAt).toEqual([
    ...before.migrationsCreatedAt,
    ...expectedNew.map((m) => m.when),
  ]);
});
