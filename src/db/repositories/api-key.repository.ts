import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type ApiKeyRow, type TenantRow, type UserRow } from "../schema/index.js";
import { columnsOf, nester, p, statement } from "../statement.js";

/** An active API key with the user it belongs to and that user's tenant. */
export interface ApiKeyOwner {
  readonly apiKey: ApiKeyRow;
  readonly user: UserRow;
  readonly tenant: TenantRow;
}

const ownerByHash = statement<ApiKeyOwner>(
  "api_key_owner_by_hash",
  sql`SELECT ${columnsOf(schema.apiKeys, "apiKey")}, ${columnsOf(schema.users, "user")}, ${columnsOf(schema.tenants, "tenant")}
      FROM api_keys
      JOIN users ON users.id = api_keys.user_id
      JOIN tenants ON tenants.id = api_keys.tenant_id
      WHERE api_keys.key_hash = ${p("hash")} AND api_keys.revoked_at IS NULL`,
  { map: nester<ApiKeyOwner>() },
);
// Records use at most once per granularity: the condition re-checks what other processes wrote.
const touch = statement(
  "api_key_touch",
  sql`UPDATE api_keys SET last_used_at = ${p("now")}
      WHERE id = ${p("id")} AND (last_used_at IS NULL OR last_used_at < ${p("staleBefore")})`,
  // Cached owners hold the old last_used_at, and would ask for this write again on every request.
  { signals: "key_owners_changed" },
);

export class ApiKeyRepository {
  constructor(private readonly session: SqlSession) {}

  /** The active (not revoked) key with this hash, with its user and tenant. */
  findActiveByHash(keyHash: string): Promise<ApiKeyOwner | undefined> {
    return this.session.get(ownerByHash, { hash: keyHash });
  }

  /** Records use; resolves to whether this call was the one that did. */
  async touchLastUsed(id: number, now: number, granularityMs: number): Promise<boolean> {
    return (await this.session.run(touch, { id, now, staleBefore: now - granularityMs })) > 0;
  }
}
