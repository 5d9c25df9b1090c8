import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import type { AuditEventRow } from "../schema/index.js";
import { p, statement, type Statement } from "../statement.js";

export interface AuditRecord {
  readonly tenantId: number | null;
  readonly actorUserId: number | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  /** `SUCCESS` or the error code that answered. */
  readonly outcome: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown> | null;
  readonly at: number;
}

const insertOne = statement(
  "audit_insert",
  sql`INSERT INTO audit_events (tenant_id, actor_user_id, action, target_type, target_id, outcome, request_id, details, created_at)
      VALUES (${p("tenantId")}, ${p("actorUserId")}, ${p("action")}, ${p("targetType")}, ${p("targetId")},
        ${p("outcome")}, ${p("requestId")}, ${p("details")}, ${p("at")})`,
);

export class AuditRepository {
  constructor(private readonly session: SqlSession) {}

  async record(event: AuditRecord): Promise<void> {
    const details = event.details === null ? null : JSON.stringify(event.details);
    await this.session.run(insertOne, { ...event, details });
  }
}

export interface AuditFilter {
  readonly tenantId: number;
  readonly action: string | null;
}

/** `details` is stored as JSON text on both dialects (PostgreSQL's jsonb would re-order keys). */
const AUDIT_COLUMNS = sql.raw(
  `id AS "id", tenant_id AS "tenantId", actor_user_id AS "actorUserId", action AS "action",
   target_type AS "targetType", target_id AS "targetId", outcome AS "outcome", request_id AS "requestId",
   details AS "details", created_at AS "createdAt"`,
);
const toEvent = (row: Record<string, unknown>): AuditEventRow =>
  ({ ...row, details: detailsOf(row.details) }) as AuditEventRow;

/** Releases up to 0.1.0 encoded details twice (a JSON string holding JSON): both read as the object. */
function detailsOf(stored: unknown): Record<string, unknown> | null {
  if (stored === null) return null;
  const parsed: unknown = JSON.parse(stored as string);
  return (typeof parsed === "string" ? JSON.parse(parsed) : parsed) as Record<string, unknown>;
}

/** One statement per filter shape; each walks (tenant_id[, action], id) and stops after a page. */
function shape(byAction: boolean, afterCursor: boolean) {
  const where = sql`tenant_id = ${p("tenantId")}${byAction ? sql` AND action = ${p("action")}` : sql``}`;
  const name = `audit_events${byAction ? "_by_action" : ""}`;
  return {
    page: statement<AuditEventRow>(
      `${name}${afterCursor ? "_after" : ""}_page`,
      sql`SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${where}${afterCursor ? sql` AND id < ${p("beforeId")}` : sql``}
          ORDER BY id DESC LIMIT ${p("limit")}`,
      { map: toEvent },
    ),
    count: afterCursor
      ? null
      : statement<{ n: number }>(`${name}_count`, sql`SELECT count(*) AS n FROM audit_events WHERE ${where}`),
  };
}

const SHAPES = [false, true].map((byAction) => [false, true].map((after) => shape(byAction, after)));
/** @internal The statements a filter uses; exported for the query-plan tests. */
export const shapeOf = (filter: AuditFilter, afterCursor: boolean) =>
  SHAPES[filter.action === null ? 0 : 1]![afterCursor ? 1 : 0]!;

/** The audit trail of a tenant, newest first. */
export class AuditListQueries {
  constructor(private readonly session: SqlSession) {}

  page(filter: AuditFilter, beforeId: number | null, limit: number): Promise<AuditEventRow[]> {
    return this.session.all(shapeOf(filter, beforeId !== null).page, { ...filter, beforeId, limit });
  }

  /** Walks every matching row: only for clients that ask for `totalCount`. */
  async count(filter: AuditFilter): Promise<number> {
    const query = shapeOf(filter, false).count as Statement<{ n: number }>;
    return (await this.session.get(query, { ...filter }))?.n ?? 0;
  }
}
