import { sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { auditEvents } from "../schema.js";

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
