import { and, asc, eq, isNull } from "drizzle-orm";
import type { EntityRef } from "../invitations/model.js";
import type { Connection, Db } from "./connection.js";
import { apiKeys, tenants, users, type ApiKeyRow, type TenantRow, type UserRow } from "./schema.js";

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

/**
 * The operator's API key management (the `apikey` command line). It runs on a connection of its own, in
 * another process than any server: a server sees its changes at once through SQLite's data_version (see
 * KeyOwnerCache), which moves only for other connections' commits.
 */
export class ApiKeyAdmin {
  private readonly db: Db;

  constructor(connection: Connection) {
    this.db = connection.db;
  }

  /** The user with this id or uuid, in whichever tenant. */
  findUser(ref: EntityRef): UserRow | undefined {
    const where = "id" in ref ? eq(users.id, ref.id) : eq(users.uuid, ref.uuid);
    return this.db.select().from(users).where(where).get();
  }

  findTenant(ref: EntityRef): TenantRow | undefined {
    const where = "id" in ref ? eq(tenants.id, ref.id) : eq(tenants.uuid, ref.uuid);
    return this.db.select().from(tenants).where(where).get();
  }

  create(key: NewApiKey): ApiKeyRow {
    return this.db
      .insert(apiKeys)
      .values({
        userId: key.userId,
        tenantId: key.tenantId,
        keyHash: key.keyHash,
        prefix: key.prefix,
        name: key.name,
        createdAt: key.now,
      })
      .returning()
      .get();
  }

  /** The tenant's keys, oldest first, revoked ones included. */
  listForTenant(tenantId: number): ApiKeyListing[] {
    return this.db
      .select({
        id: apiKeys.id,
        prefix: apiKeys.prefix,
        name: apiKeys.name,
        user: { id: users.id, uuid: users.uuid, email: users.email, name: users.name },
        createdAt: apiKeys.createdAt,
        lastUsedAt: apiKeys.lastUsedAt,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.tenantId, tenantId))
      .orderBy(asc(apiKeys.id))
      .all();
  }

  /**
   * Revokes the key, once: a key already revoked keeps its first revocation time. Undefined when there is
   * no such key.
   */
  revoke(id: number, now: number): { readonly key: ApiKeyRow; readonly alreadyRevoked: boolean } | undefined {
    return this.db.transaction(
      (tx) => {
        const revoked = tx
          .update(apiKeys)
          .set({ revokedAt: now })
          .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .returning()
          .get();
        if (revoked) return { key: revoked, alreadyRevoked: false };
        const key = tx.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
        return key && { key, alreadyRevoked: true };
      },
      { behavior: "immediate" },
    );
  }
}
