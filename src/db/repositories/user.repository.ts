import { and, eq, sql } from "drizzle-orm";
import type { EntityRef } from "../../invitations/model.js";
import type { Db } from "../connection.js";
import { users, type UserRow } from "../schema.js";

export class UserRepository {
  private readonly byId;
  private readonly byUuid;

  constructor(db: Db) {
    const tenantId = sql.placeholder("tenantId");
    this.byId = db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, sql.placeholder("id"))))
      .prepare();
    this.byUuid = db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.uuid, sql.placeholder("uuid"))))
      .prepare();
  }

  /** The user, only if it belongs to the tenant. */
  findInTenant(tenantId: number, ref: EntityRef): UserRow | undefined {
    return "id" in ref ? this.byId.get({ tenantId, id: ref.id }) : this.byUuid.get({ tenantId, uuid: ref.uuid });
  }
}
