import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type TenantRow } from "../schema/index.js";
import { columnsOf, p, statement } from "../statement.js";

const byId = statement<TenantRow>(
  "tenant_by_id",
  sql`SELECT ${columnsOf(schema.tenants)} FROM tenants WHERE id = ${p("id")}`,
);

/**
 * Holds the tenant's row until the transaction ends. Every write that checks a tenant-wide rule first
 * (cooldowns, caps, one invitation per address) takes it, so such writes of one tenant take turns across
 * instances. NO KEY UPDATE still lets other transactions insert rows that reference the tenant.
 */
const lockOne = statement(
  "tenant_lock",
  (d) => sql`SELECT id FROM tenants WHERE id = ${p("id")}${d.forNoKeyUpdate}`,
);

export class TenantRepository {
  constructor(private readonly session: SqlSession) {}

  findById(id: number): Promise<TenantRow | undefined> {
    return this.session.get(byId, { id });
  }

  /** Serialises the tenant's rule-checked writes (see lockOne); a no-op where transactions already are serial. */
  async lockForWrites(id: number): Promise<void> {
    if (this.session.dialect === "sqlite") return;
    await this.session.get(lockOne, { id });
  }
}
