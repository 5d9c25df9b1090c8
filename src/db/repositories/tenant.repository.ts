import { eq, sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { tenants, type TenantRow } from "../schema.js";

export class TenantRepository {
  private readonly byId;

  constructor(db: Db) {
    this.byId = db
      .select()
      .from(tenants)
      .where(eq(tenants.id, sql.placeholder("id")))
      .prepare();
  }

  findById(id: number): TenantRow | undefined {
    return this.byId.get({ id });
  }
}
