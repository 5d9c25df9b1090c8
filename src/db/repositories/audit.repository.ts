import { and, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../connection.js";
import { auditEvents, type AuditEventRow } from "../schema.js";

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

export class AuditRepository {
  private readonly insertOne;

  constructor(db: Db) {
    this.insertOne = db
      .insert(auditEvents)
      .values({
        tenantId: sql.placeholder("tenantId"),
        actorUserId: sql.placeholder("actorUserId"),
        action: sql.placeholder("action"),
        targetType: sql.placeholder("targetType"),
        targetId: sql.placeholder("targetId"),
        outcome: sql.placeholder("outcome"),
        requestId: sql.placeholder("requestId"),
        details: sql.placeholder("details"),
        createdAt: sql.placeholder("at"),
      })
      .prepare();
  }

  record(event: AuditRecord): void {
    this.insertOne.run({ ...event, details: event.details === null ? null : JSON.stringify(event.details) });
  }
}

export interface AuditFilter {
  readonly tenantId: number;
  readonly action: string | null;
}

/** Listing queries for the audit trail, newest first. */
export class AuditListQueries {
  constructor(private readonly db: Db) {}

  page(filter: AuditFilter, beforeId: number | null, limit: number): AuditEventRow[] {
    const conditions = this.conditions(filter);
    if (beforeId !== null) conditions.push(lt(auditEvents.id, beforeId));
    return this.db
      .select()
      .from(auditEvents)
      .where(and(...conditions))
      .orderBy(desc(auditEvents.id))
      .limit(limit)
      .all();
  }

  count(filter: AuditFilter): number {
    const [row] = this.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(...this.conditions(filter)))
      .all();
    return row?.n ?? 0;
  }

  private conditions({ tenantId, action }: AuditFilter): SQL[] {
    const conditions: SQL[] = [eq(auditEvents.tenantId, tenantId)];
    if (action !== null) conditions.push(eq(auditEvents.action, action));
    return conditions;
  }
}
