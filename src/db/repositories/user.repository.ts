import { sql } from "drizzle-orm";
import type { EntityRef } from "../../invitations/model.js";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type UserRow } from "../schema/index.js";
import { columnsOf, p, statement } from "../statement.js";

export interface NewUser {
  readonly uuid: string;
  readonly tenantId: number;
  readonly name: string;
  /** Lower-cased. */
  readonly email: string;
  readonly role: "admin" | "member";
  readonly now: number;
}

const COLUMNS = columnsOf(schema.users);
const byId = statement<UserRow>(
  "user_by_id",
  sql`SELECT ${COLUMNS} FROM users WHERE tenant_id = ${p("tenantId")} AND id = ${p("id")}`,
);
const byUuid = statement<UserRow>(
  "user_by_uuid",
  sql`SELECT ${COLUMNS} FROM users WHERE tenant_id = ${p("tenantId")} AND uuid = ${p("uuid")}`,
);
const byEmail = statement<UserRow>(
  "user_by_email",
  sql`SELECT ${COLUMNS} FROM users WHERE tenant_id = ${p("tenantId")} AND email = ${p("email")}`,
);
// One statement for any number of ids: the list travels as one JSON text parameter.
const byIds = statement<UserRow>("users_by_ids", (d) =>
  d.dialect === "sqlite"
    ? sql`SELECT ${COLUMNS} FROM users WHERE tenant_id = ${p("tenantId")} AND id IN (SELECT value FROM json_each(${p("ids")}))`
    : sql`SELECT ${COLUMNS} FROM users WHERE tenant_id = ${p("tenantId")} AND id IN (SELECT jsonb_array_elements_text(${p("ids")}::jsonb)::integer)`,
);
const verify = statement(
  "user_verify_email",
  sql`UPDATE users SET email_verified_at = ${p("now")}, updated_at = ${p("now")} WHERE id = ${p("id")} AND email_verified_at IS NULL`,
  { signals: "key_owners_changed" },
);
const insertOne = statement<UserRow>(
  "user_insert",
  sql`INSERT INTO users (uuid, tenant_id, name, email, role, kind, created_at, updated_at)
      VALUES (${p("uuid")}, ${p("tenantId")}, ${p("name")}, ${p("email")}, ${p("role")}, 'human', ${p("now")}, ${p("now")})
      RETURNING ${COLUMNS}`,
  { signals: "key_owners_changed" },
);

export class UserRepository {
  constructor(private readonly session: SqlSession) {}

  /** The user with this (lower-cased) address in the tenant. */
  findByEmail(tenantId: number, email: string): Promise<UserRow | undefined> {
    return this.session.get(byEmail, { tenantId, email });
  }

  /** Users of the tenant by id, for rendering lists without one query per row. */
  async findManyInTenant(tenantId: number, ids: readonly number[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return this.session.all(byIds, { tenantId, ids: JSON.stringify([...new Set(ids)]) });
  }

  async insert(user: NewUser): Promise<UserRow> {
    const row = await this.session.get(insertOne, { ...user });
    if (!row) throw new Error("user insert returned no row");
    return row;
  }

  /** Accepting an invitation proves the address: the user counts as verified from then on. */
  async markEmailVerified(id: number, now: number): Promise<void> {
    await this.session.run(verify, { id, now });
  }

  /** The user, only if it belongs to the tenant. */
  findInTenant(tenantId: number, ref: EntityRef): Promise<UserRow | undefined> {
    return "id" in ref
      ? this.session.get(byId, { tenantId, id: ref.id })
      : this.session.get(byUuid, { tenantId, uuid: ref.uuid });
  }
}
