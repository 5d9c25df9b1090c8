import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { param } from "../placeholders.js";
import { apiKeys, tenants, users, type ApiKeyRow, type TenantRow, type UserRow } from "../schema.js";

export interface ApiKeyOwner {
  readonly apiKey: ApiKeyRow;
  readonly user: UserRow;
  readonly tenant: TenantRow;
}

export class ApiKeyRepository {
  private readonly byHash;
  private readonly touch;

  constructor(db: Db) {
    this.byHash = db
      .select({ apiKey: apiKeys, user: users, tenant: tenants })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(and(eq(apiKeys.keyHash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
      .prepare();
    this.touch = db
      .update(apiKeys)
      .set({ lastUsedAt: param("now") })
      .where(
        and(
          eq(apiKeys.id, sql.placeholder("id")),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql.placeholder("staleBefore"))),
        ),
      )
      .prepare();
  }

  /** The active (not revoked) key with this hash, with its user and tenant. */
  findActiveByHash(keyHash: string): ApiKeyOwner | undefined {
    return this.byHash.get({ hash: keyHash });
  }

  /** Records use, at most once per `granularityMs`, so authentication does not write on every request. */
  touchLastUsed(id: number, now: number, granularityMs: number): void {
    this.touch.run({ id, now, staleBefore: now - granularityMs });
  }
}
