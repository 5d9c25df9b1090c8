import { sql, type SQL } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type InvitationRow } from "../schema/index.js";
import { columnsOf, p, statement, type Statement } from "../statement.js";

export type InvitationStatusFilter = "PENDING" | "ACCEPTED" | "REVOKED" | "EXPIRED";

export interface InvitationFilter {
  readonly tenantId: number;
  /** Effective status; EXPIRED and PENDING are told apart by `expiresAt` against `now`. */
  readonly status: InvitationStatusFilter | null;
  /** Invitee's address, lower-cased. */
  readonly email: string | null;
  readonly now: number;
}

const STATUS_CONDITIONS: Record<InvitationStatusFilter | "ANY", SQL> = {
  ANY: sql``,
  PENDING: sql` AND invitations.status = 'pending' AND invitations.expires_at > ${p("now")}`,
  EXPIRED: sql` AND invitations.status = 'pending' AND invitations.expires_at <= ${p("now")}`,
  ACCEPTED: sql` AND invitations.status = 'accepted'`,
  REVOKED: sql` AND invitations.status = 'revoked'`,
};

/**
 * One statement per filter shape, each walking an index in id order and stopping after a page: a page costs
 * the same whatever the tenant holds. The email filter starts from the user instead ((tenant_id, email) is
 * unique), and reads that user's few invitations: `CROSS JOIN` makes SQLite keep users as the outer loop,
 * and `+invitations.id` (an expression no index serves) keeps it from walking the tenant's invitations in
 * id order, to spare a sort of a handful of rows, instead of looking up the user's.
 */
function shape(status: InvitationStatusFilter | "ANY", byEmail: boolean, afterCursor: boolean) {
  const from = byEmail
    ? sql`users CROSS JOIN invitations WHERE users.tenant_id = ${p("tenantId")} AND users.email = ${p("email")}
          AND invitations.tenant_id = users.tenant_id AND invitations.user_id = users.id`
    : sql`invitations WHERE invitations.tenant_id = ${p("tenantId")}`;
  const where = sql`${from}${STATUS_CONDITIONS[status]}`;
  const name = `invitations_${status.toLowerCase()}${byEmail ? "_by_email" : ""}`;
  const id = byEmail ? sql`+invitations.id` : sql`invitations.id`;
  return {
    page: statement<InvitationRow>(
      `${name}${afterCursor ? "_after" : ""}_page`,
      sql`SELECT ${columnsOf(schema.invitations)} FROM ${where}${
        afterCursor ? sql` AND ${id} < ${p("beforeId")}` : sql``
      } ORDER BY ${id} DESC LIMIT ${p("limit")}`,
    ),
    count: afterCursor
      ? null
      : statement<{ n: number }>(`${name}_count`, sql`SELECT count(*) AS n FROM ${where}`),
  };
}

type Shape = ReturnType<typeof shape>;
const SHAPES = new Map<string, Shape>();
for (const status of ["ANY", "PENDING", "EXPIRED", "ACCEPTED", "REVOKED"] as const)
  for (const byEmail of [false, true])
    for (const after of [false, true])
      SHAPES.set(`${status}/${byEmail}/${after}`, shape(status, byEmail, after));

/** @internal The statements a filter uses; exported for the query-plan tests. */
export function shapeOf(filter: InvitationFilter, afterCursor: boolean): Shape {
  return SHAPES.get(`${filter.status ?? "ANY"}/${filter.email !== null}/${afterCursor}`)!;
}

/** The tenant's invitations, newest first, by id cursor. */
export class InvitationListQueries {
  constructor(private readonly session: SqlSession) {}

  /** Ids below `beforeId` (the cursor), at most `limit` rows. */
  page(filter: InvitationFilter, beforeId: number | null, limit: number): Promise<InvitationRow[]> {
    const query = shapeOf(filter, beforeId !== null).page;
    return this.session.all(query, { ...filter, beforeId, limit });
  }

  /** Walks every matching row: only for clients that ask for `totalCount`. */
  async count(filter: InvitationFilter): Promise<number> {
    const query = shapeOf(filter, false).count as Statement<{ n: number }>;
    return (await this.session.get(query, { ...filter }))?.n ?? 0;
  }
}
