import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Connection } from "../connection.js";
import { param } from "../placeholders.js";
import { apiKeys, tenants, users } from "../schema.js";
import { KeyOwnerCache, type ApiKeyOwner } from "./key-owner-cache.js";

export type { ApiKeyOwner } from "./key-owner-cache.js";

export class ApiKeyRepository {
  private readonly byHash;
  private readonly touch;
  private readonly owners: KeyOwnerCache;

  constructor({ db, sqlite }: Connection) {
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
    const dataVersion = sqlite.prepare<[], number>("PRAGMA data_version").pluck();
    this.owners = new KeyOwnerCache(() => dataVersion.get() ?? 0);
  }

  /** The active (not revoked) key with this hash, with its user and tenant; cached, see KeyOwnerCache. */
  findActiveByHash(keyHash: string): ApiKeyOwner | undefined {
    return this.owners.lookup(keyHash, () => this.byHash.get({ hash: keyHash }));
  }

  /**
   * Whether a key with this hash was active when last looked at: the cache's memory, else one indexed lookup.
   * Good enough to decide whose budget a request counts against, never to authenticate: a revocation by
   * another process shows here only once the next authentication has noticed it.
   */
  isKnownActive(keyHash: string): boolean {
    return this.owners.holds(keyHash) || this.byHash.get({ hash: keyHash }) !== undefined;
  }

  /**
   * Records use, at most once per `granularityMs` (the caller skips keys it knows were used since), so
   * authentication does not write on every request.
   */
  touchLastUsed(id: number, now: number, granularityMs: number): void {
    if (this.touch.run({ id, now, staleBefore: now - granularityMs }).changes > 0) this.owners.invalidate();
  }

  /** This connection wrote to users: what the cached owners say of them may be out of date. */
  usersChanged(): void {
    this.owners.invalidate();
  }
}
