import { sql } from "drizzle-orm";
import type { EntityRef } from "../invitations/model.js";
import type { Database } from "./database.js";
import { sqliteSchema as schema, type ApiKeyRow, type TenantRow, type UserRow } from "./schema/index.js";
import { columnsOf, nester, p, statement } from "./statement.js";

/** An API key as an operator sees it: never its hash. */
export interface ApiKeyListing {
  readonly id: number;
  readonly prefix: string;
  readonly name: string | null;
  readonly user: Pick<UserRow, "id" | "uuid" | "email" | "name">;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface NewApiKey {
  readonly userId: number;
  readonly tenantId: number;
  readonly keyHash: string;
  readonly prefix: string;
  readonly name: string | null;
  readonly now: number;
}

const KEY_COLUMNS = columnsOf(schema.apiKeys);
const userById = statement<UserRow>(
  "admin_user_by_id",
  sql`SELECT ${columnsOf(schema.users)} FROM users WHERE id = ${p("id")}`,
);
const userByUuid = statement<UserRow>(
  "admin_user_by_uuid",
  sql`SELECT ${columnsOf(schema.users)} FROM users WHERE uuid = ${p("uuid")}`,
);
const tenantById = statement<TenantRow>(
  "admin_tenant_by_id",
  sql`SELECT ${columnsOf(schema.tenants)} FROM tenants WHERE id = ${p("id")}`,
);
const tenantByUuid = statement<TenantRow>(
  "admin_tenant_by_uuid",
  sql`SELECT ${columnsOf(schema.tenants)} FROM tenants WHERE uuid = ${p("uuid")}`,
);
const insertKey = statement<ApiKeyRow>(
  "admin_api_key_insert",
  sql`INSERT INTO api_keys (tenant_id, user_id, key_hash, prefix, name, created_at)
      VALUES (${p("tenantId")}, ${p("userId")}, ${p("keyHash")}, ${p("prefix")}, ${p("name")}, ${p("now")})
      RETURNING ${KEY_COLUMNS}`,
  { signals: "key_owners_changed" },
);
const nestUser = nester<Record<string, unknown>>();
const keysOfTenant = statement<ApiKeyListing>(
  "admin_api_keys_of_tenant",
  sql`SELECT api_keys.id AS "id", api_keys.prefix AS "prefix", api_keys.name AS "name",
        users.id AS "user.id", users.uuid AS "user.uuid", users.email AS "user.email", users.name AS "user.name",
        api_keys.created_at AS "createdAt", api_keys.last_used_at AS "lastUsedAt", api_keys.revoked_at AS "revokedAt"
      FROM api_keys JOIN users ON users.id = api_keys.user_id
      WHERE api_keys.tenant_id = ${p("tenantId")} ORDER BY api_keys.id`,
  {
    map: (row) => {
      // The user after the key's own columns, as operators read the listing.
      const { user, ...rest } = nestUser(row);
      return { ...rest, user } as unknown as ApiKeyListing;
    },
  },
);
// The key's first revocation time is kept: revoking twice changes nothing.
const revokeKey = statement<ApiKeyRow>(
  "admin_api_key_revoke",
  sql`UPDATE api_keys SET revoked_at = ${p("now")} WHERE id = ${p("id")} AND revoked_at IS NULL RETURNING ${KEY_COLUMNS}`,
  { signals: "key_owners_changed" },
);
const keyById = statement<ApiKeyRow>(
  "admin_api_key_by_id",
  sql`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ${p("id")}`,
);

/**
 * The operator's API key management (the `apikey` command line), usually from another process than any
 * server: servers see a revocation within a second (PostgreSQL: NOTIFY from a trigger; SQLite: data_version).
 */
export class ApiKeyAdmin {
  constructor(private readonly database: Database) {}

  /** The user with this id or uuid, in whichever tenant. */
  findUser(ref: EntityRef): Promise<UserRow | undefined> {
    return "id" in ref ? this.database.get(userById, ref) : this.database.get(userByUuid, ref);
  }

  findTenant(ref: EntityRef): Promise<TenantRow | undefined> {
    return "id" in ref ? this.database.get(tenantById, ref) : this.database.get(tenantByUuid, ref);
  }

  async create(key: NewApiKey): Promise<ApiKeyRow> {
    const row = await this.database.get(insertKey, { ...key });
    if (!row) throw new Error("API key insert returned no row");
    return row;
  }

  /** The tenant's keys, oldest first, revoked ones included. */
  listForTenant(tenantId: number): Promise<ApiKeyListing[]> {
    return this.database.all(keysOfTenant, { tenantId });
  }

  /**
   * Revokes the key, once: a key already revoked keeps its first revocation time. Undefined when there is
   * no such key.
   */
  revoke(
    id: number,
    now: number,
  ): Promise<{ readonly key: ApiKeyRow; readonly alreadyRevoked: boolean } | undefined> {
    return this.database.transaction(async (tx) => {
      const revoked = await tx.get(revokeKey, { id, now });
      if (revoked) return { key: revoked, alreadyRevoked: false };
      const key = await tx.get(keyById, { id });
      return key && { key, alreadyRevoked: true };
    });
  }
}
