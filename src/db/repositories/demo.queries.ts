import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type TenantRow, type UserRow } from "../schema/index.js";
import { columnsOf, p, statement } from "../statement.js";

const anyTenant = statement<{ id: number }>("demo_any_tenant", sql`SELECT id AS "id" FROM tenants LIMIT 1`);
const tenantByUuid = statement<TenantRow>(
  "demo_tenant_by_uuid",
  sql`SELECT ${columnsOf(schema.tenants)} FROM tenants WHERE uuid = ${p("uuid")}`,
);
const firstHumanAdmin = statement<UserRow>(
  "demo_first_human_admin",
  sql`SELECT ${columnsOf(schema.users)} FROM users
      WHERE tenant_id = ${p("tenantId")} AND role = 'admin' AND kind = 'human' AND email IS NOT NULL
      ORDER BY id LIMIT 1`,
);
const resendable = statement<{ invitationId: number; userUuid: string }>(
  "demo_resendable",
  sql`SELECT invitations.id AS "invitationId", users.uuid AS "userUuid"
      FROM invitations JOIN users ON users.id = invitations.user_id
      WHERE invitations.tenant_id = ${p("tenantId")} AND invitations.id = ${p("invitationId")}
        AND invitations.status = 'pending' AND invitations.expires_at > ${p("now")}
        AND users.kind = 'human' AND users.email IS NOT NULL AND users.email_verified_at IS NULL`,
);

/** What demo mode reads to print ready-to-paste requests. */
export class DemoQueries {
  constructor(private readonly session: SqlSession) {}

  async hasAnyTenant(): Promise<boolean> {
    return (await this.session.get(anyTenant)) !== undefined;
  }

  tenantByUuid(uuid: string): Promise<TenantRow | undefined> {
    return this.session.get(tenantByUuid, { uuid });
  }

  firstHumanAdmin(tenantId: number): Promise<UserRow | undefined> {
    return this.session.get(firstHumanAdmin, { tenantId });
  }

  /** The invitation when it is pending, unexpired, and of a human with an email, not yet verified. */
  resendable(
    tenantId: number,
    invitationId: number,
    now: number,
  ): Promise<{ invitationId: number; userUuid: string } | undefined> {
    return this.session.get(resendable, { tenantId, invitationId, now });
  }
}
