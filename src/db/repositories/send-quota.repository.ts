import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { emailOutbox } from "../schema.js";

export interface WindowUsage {
  /** Emails queued in the window, counted up to the cap (never further: the cap is all a check needs). */
  readonly count: number;
  /** When the oldest of them was queued; null when there were none. */
  readonly oldestAt: number | null;
}

/** Counts recently queued emails, for the abuse caps. Every email counts, even one later superseded. */
export class SendQuotaRepository {
  private readonly tenantUsage;
  private readonly recipientUsage;

  constructor(db: Db) {
    const since = sql.placeholder("since");
    const tenantId = sql.placeholder("tenantId");
    const window = (where: ReturnType<typeof and>) =>
      db
        .select({ createdAt: emailOutbox.createdAt })
        .from(emailOutbox)
        .where(where)
        .orderBy(emailOutbox.createdAt)
        .limit(sql.placeholder("cap"))
        .as("recent");
    const usage = (where: ReturnType<typeof and>) => {
      const recent = window(where);
      return db
        .select({ count: sql<number>`count(*)`, oldestAt: sql<number | null>`min(${recent.createdAt})` })
        .from(recent)
        .prepare();
    };
    this.tenantUsage = usage(and(eq(emailOutbox.tenantId, tenantId), gt(emailOutbox.createdAt, since)));
    this.recipientUsage = usage(
      and(
        eq(emailOutbox.tenantId, tenantId),
        eq(emailOutbox.toAddress, sql.placeholder("toAddress")),
        gt(emailOutbox.createdAt, since),
      ),
    );
  }

  tenantEmailsSince(tenantId: number, since: number, cap: number): WindowUsage {
    return this.tenantUsage.get({ tenantId, since, cap }) ?? { count: 0, oldestAt: null };
  }

  recipientEmailsSince(tenantId: number, toAddress: string, since: number, cap: number): WindowUsage {
    return this.recipientUsage.get({ tenantId, toAddress, since, cap }) ?? { count: 0, oldestAt: null };
  }
}
