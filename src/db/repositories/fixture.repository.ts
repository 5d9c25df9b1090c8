import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { p, statement, type Statement } from "../statement.js";

/** A row to insert, by column name; `id` null means "generate one". */
export type FixtureRow = Record<string, string | number | null> & { readonly id?: number | null };

type ColumnType = "integer" | "bigint" | "text";

/** The columns the fixture loader writes, with their PostgreSQL types (SQLite takes JSON values as they are). */
const TABLES = {
  tenants: {
    id: "integer",
    uuid: "text",
    name: "text",
    type: "text",
    status: "text",
    icon: "text",
    created_at: "bigint",
    updated_at: "bigint",
  },
  users: {
    id: "integer",
    uuid: "text",
    tenant_id: "integer",
    name: "text",
    email: "text",
    role: "text",
    kind: "text",
    email_verified_at: "bigint",
    icon: "text",
    last_login_at: "bigint",
    created_at: "bigint",
    updated_at: "bigint",
  },
  api_keys: {
    tenant_id: "integer",
    user_id: "integer",
    key_hash: "text",
    prefix: "text",
    name: "text",
    created_at: "bigint",
  },
  invitations: {
    id: "integer",
    uuid: "text",
    tenant_id: "integer",
    user_id: "integer",
    inviter_id: "integer",
    status: "text",
    send_count: "integer",
    last_sent_at: "bigint",
    expires_at: "bigint",
    accepted_at: "bigint",
    revoked_at: "bigint",
    created_at: "bigint",
    updated_at: "bigint",
  },
} as const satisfies Record<string, Record<string, ColumnType>>;

export type FixtureTable = keyof typeof TABLES;

/** Rows per statement: one JSON parameter carries them all, so a million rows cost a few hundred round trips. */
const CHUNK = 5_000;

/** Many rows in one statement, from a JSON array of objects keyed by column name. */
function bulkInsert(table: FixtureTable, withId: boolean) {
  const columns = Object.entries(TABLES[table]).filter(([name]) => withId || name !== "id");
  const names = columns.map(([name]) => name).join(", ");
  return statement(`fixture_bulk_insert_${table}${withId ? "" : "_generated_ids"}`, (d) =>
    d.dialect === "sqlite"
      ? sql`${sql.raw(
          `INSERT INTO ${table} (${names}) SELECT ${columns.map(([name]) => `value ->> '${name}'`).join(", ")} FROM json_each(`,
        )}${p("rows")})`
      : sql`${sql.raw(`INSERT INTO ${table} (${names}) SELECT ${names} FROM jsonb_to_recordset(`)}${p("rows")}${sql.raw(
          `::jsonb) AS r(${columns.map(([name, type]) => `${name} ${type}`).join(", ")})`,
        )}`,
  );
}

function insertReturningId(table: FixtureTable) {
  const columns = Object.keys(TABLES[table]).filter((name) => name !== "id");
  return statement<{ id: number }>(
    `fixture_insert_${table}`,
    sql`${sql.raw(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (`)}${sql.join(
      columns.map((name) => p(name)),
      sql`, `,
    )}) RETURNING id AS "id"`,
  );
}

const INSERTS = Object.fromEntries(
  (Object.keys(TABLES) as FixtureTable[]).map((table) => [
    table,
    {
      bulk: bulkInsert(table, "id" in TABLES[table]),
      one: "id" in TABLES[table] ? insertReturningId(table) : null,
    },
  ]),
) as Record<FixtureTable, { bulk: Statement<unknown>; one: Statement<{ id: number }> | null }>;

/** What a fixture may name that the database may already hold. */
const TAKEN = {
  tenantId: ["tenants", "id"],
  tenantUuid: ["tenants", "uuid"],
  userId: ["users", "id"],
  userUuid: ["users", "uuid"],
  invitationId: ["invitations", "id"],
  invitationUuid: ["invitations", "uuid"],
  apiKeyHash: ["api_keys", "key_hash"],
} as const;
export type Claimable = keyof typeof TAKEN;

const TAKEN_QUERIES = Object.fromEntries(
  Object.entries(TAKEN).map(([kind, [table, column]]) => [
    kind,
    statement<{ value: number | string }>(`fixture_taken_${kind}`, (d) =>
      d.dialect === "sqlite"
        ? sql`${sql.raw(`SELECT ${column} AS "value" FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(`)}${p("values")}))`
        : sql`${sql.raw(`SELECT ${column} AS "value" FROM ${table} WHERE ${column} IN (SELECT jsonb_array_elements_text(`)}${p("values")}${sql.raw(
            `::jsonb)${column === "id" ? "::integer" : ""})`,
          )}`,
    ),
  ]),
) as Record<Claimable, Statement<{ value: number | string }>>;

const syncIds = (table: string) =>
  statement(
    `fixture_sync_ids_${table}`,
    sql.raw(
      `SELECT setval(pg_get_serial_sequence('${table}', 'id'), ` +
        `greatest(coalesce((SELECT max(id) FROM ${table}), 0) + 1, nextval(pg_get_serial_sequence('${table}', 'id'))), false)`,
    ),
  );
const SYNC_IDS = Object.fromEntries(
  (Object.keys(TABLES) as FixtureTable[]).filter((t) => "id" in TABLES[t]).map((t) => [t, syncIds(t)]),
) as Partial<Record<FixtureTable, Statement<unknown>>>;

/** The fixture loader's writes: in bulk, in the caller's transaction. */
export class FixtureRepository {
  constructor(private readonly session: SqlSession) {}

  /** Which of these values the database already holds. */
  async taken(kind: Claimable, values: readonly (number | string)[]): Promise<Set<number | string>> {
    const found = new Set<number | string>();
    for (let i = 0; i < values.length; i += CHUNK) {
      const chunk = JSON.stringify(values.slice(i, i + CHUNK));
      for (const row of await this.session.all(TAKEN_QUERIES[kind], { values: chunk })) found.add(row.value);
    }
    return found;
  }

  /**
   * Inserts the rows; resolves to their ids in order. Rows with explicit ids go first, in bulk; then the
   * others one by one, numbered above every explicit id.
   */
  async insert(table: FixtureTable, rows: readonly FixtureRow[]): Promise<number[]> {
    const { bulk, one } = INSERTS[table];
    const explicit = one === null ? rows : rows.filter((row) => row.id != null);
    for (let i = 0; i < explicit.length; i += CHUNK) {
      await this.session.run(bulk, { rows: JSON.stringify(explicit.slice(i, i + CHUNK)) });
    }
    if (one === null) return [];
    // PostgreSQL's identity sequence does not see explicit ids (SQLite's AUTOINCREMENT does).
    const sync = SYNC_IDS[table];
    if (this.session.dialect === "postgres" && sync && explicit.length > 0) await this.session.get(sync);
    const ids: number[] = [];
    for (const row of rows) {
      if (row.id != null) ids.push(row.id);
      else {
        const inserted = await this.session.get(one, row);
        if (!inserted) throw new Error(`insert into ${table} returned no id`);
        ids.push(inserted.id);
      }
    }
    return ids;
  }
}
