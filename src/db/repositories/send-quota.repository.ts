import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { p, statement } from "../statement.js";

/** Whether a window holds `cap` emails or more, and if so when the oldest of them was queued. */
export type CapCheck = { readonly reached: false } | { readonly reached: true; readonly oldestAt: number };

const TENANT_WINDOW = sql`FROM email_outbox WHERE tenant_id = ${p("tenantId")} AND created_at > ${p("since")}`;
const RECIPIENT_WINDOW = sql`FROM email_outbox WHERE tenant_id = ${p("tenantId")} AND to_address = ${p("toAddress")} AND created_at > ${p("since")}`;

// A row at offset cap - 1 exists exactly when the window holds cap emails or more; the walk stops there.
const tenantNth = statement(
  "quota_tenant_nth",
  sql`SELECT 1 AS "hit" ${TENANT_WINDOW} LIMIT 1 OFFSET ${p("offset")}`,
);
const tenantCount = statement<{ n: number }>(
  "quota_tenant_count",
  sql`SELECT count(*) AS "n" ${TENANT_WINDOW}`,
);
const tenantOldest = statement<{ at: number | null }>(
  "quota_tenant_oldest",
  sql`SELECT min(created_at) AS "at" ${TENANT_WINDOW}`,
);
const recipientNth = statement(
  "quota_recipient_nth",
  sql`SELECT 1 AS "hit" ${RECIPIENT_WINDOW} LIMIT 1 OFFSET ${p("offset")}`,
);
const recipientOldest = statement<{ at: number | null }>(
  "quota_recipient_oldest",
  sql`SELECT min(created_at) AS "at" ${RECIPIENT_WINDOW}`,
);
/** The most recent send to the user, whichever invitation carried it: the cooldown is per invitee. */
const lastSentToUser = statement<{ lastSentAt: number | null }>(
  "quota_last_sent_to_user",
  sql`SELECT max(last_sent_at) AS "lastSentAt" FROM invitations WHERE tenant_id = ${p("tenantId")} AND user_id = ${p("userId")}`,
);
/** PostgreSQL: the last outbox id handed out, null before the first (see TenantTally). */
const PG_LAST_ISSUED = sql`pg_sequence_last_value('email_outbox_id_seq')::integer`;
// PostgreSQL: the cooldown's clock, the recipient's cap and the tenant tally's id in one round trip (each is a
// round trip of 50–120 µs otherwise).
const probeAll = statement<{
  lastSentAt: number | null;
  recipientReached: boolean;
  lastIssued: number | null;
}>(
  "quota_probe_all",
  sql`SELECT
        (SELECT max(last_sent_at) FROM invitations WHERE tenant_id = ${p("tenantId")} AND user_id = ${p("userId")}) AS "lastSentAt",
        EXISTS (SELECT 1 FROM email_outbox WHERE tenant_id = ${p("tenantId")} AND to_address = ${p("toAddress")}
                AND created_at > ${p("recipientSince")} LIMIT 1 OFFSET ${p("recipientOffset")}) AS "recipientReached",
        ${PG_LAST_ISSUED} AS "lastIssued"`,
);
/** The last outbox id handed out (null: none yet): ids only grow, on both dialects. */
const lastIssuedId = statement<{ seq: number | null }>("quota_last_issued_outbox_id", (d) =>
  d.dialect === "sqlite"
    ? sql`SELECT seq AS "seq" FROM sqlite_sequence WHERE name = 'email_outbox'`
    : sql`SELECT ${PG_LAST_ISSUED} AS "seq"`,
);

/**
 * What this process last counted for a tenant: `count` emails queued after `since`, among the outbox ids
 * issued up to `upToId`. Every email of the tenant queued since then has a larger id, so `count` plus the ids
 * issued since bounds the window from above. SQLite: writers take turns and AUTOINCREMENT ids only grow.
 * PostgreSQL: ids are handed out before commit, in any order of commits, but every email of a tenant is queued
 * under that tenant's row lock (lockForWrites), which the count was taken under too: an email it did not see
 * is queued by a transaction that took the lock later, and drew its id from the sequence later.
 */
export interface TenantTally {
  readonly since: number;
  readonly upToId: number;
  readonly count: number;
}

/** Tallies outlive transactions: one map per process, shared by every session. */
export type TenantTallies = Map<number, TenantTally>;

/** What a send checks before it writes, for one invitee at one address. */
export interface SendProbe {
  readonly tenantId: number;
  readonly userId: number;
  readonly toAddress: string;
  readonly tenantWindow: { readonly since: number; readonly cap: number };
  readonly recipientWindow: { readonly since: number; readonly cap: number };
}

export interface SendChecks {
  /** When the invitee was last sent any invitation (null: never): the cooldown's clock. */
  readonly lastSentAt: number | null;
  readonly tenant: CapCheck;
  readonly recipient: CapCheck;
}

/**
 * Counts recently queued emails, for the abuse caps. Every email counts, even one later superseded. Counting
 * a window walks it, and a busy tenant's hour can hold every email it sent (up to the cap): the tenant check
 * first tries the bound kept per tenant (see TenantTally), and walks only when it reaches the cap. Exact either way.
 * Call inside the sending transaction, after TenantRepository.lockForWrites.
 */
export class SendQuotaRepository {
  constructor(
    private readonly session: SqlSession,
    private readonly tallies: TenantTallies,
  ) {}

  /**
   * The cooldown's clock and both caps. PostgreSQL asks in one round trip, and again only when the tenant tally
   * no longer bounds the window below the cap or a window is full; on SQLite a statement costs microseconds.
   */
  async probe(send: SendProbe): Promise<SendChecks> {
    const { tenantId, userId, toAddress, tenantWindow, recipientWindow } = send;
    if (this.session.dialect === "sqlite") {
      return {
        lastSentAt: (await this.session.get(lastSentToUser, { tenantId, userId }))?.lastSentAt ?? null,
        tenant: await this.tenantCap(tenantId, tenantWindow.since, tenantWindow.cap),
        recipient: await this.recipientCap(tenantId, toAddress, recipientWindow.since, recipientWindow.cap),
      };
    }
    // Read before counting (tenantCapAfter): an email queued in between counts twice, never zero times.
    const row = await this.session.get(probeAll, {
      tenantId,
      userId,
      toAddress,
      recipientSince: recipientWindow.since,
      recipientOffset: recipientWindow.cap - 1,
    });
    const tenant = await this.tenantCapAfter(
      row?.lastIssued ?? 0,
      tenantId,
      tenantWindow.since,
      tenantWindow.cap,
    );
    const recipient = row?.recipientReached
      ? await this.full(recipientOldest, { tenantId, toAddress, since: recipientWindow.since })
      : ({ reached: false } as const);
    return { lastSentAt: row?.lastSentAt ?? null, tenant, recipient };
  }

  /** Whether the tenant queued `cap` emails or more after `since`. */
  async tenantCap(tenantId: number, since: number, cap: number): Promise<CapCheck> {
    // Read before counting: an email queued in between (by another process) then counts twice, never zero times.
    const upToId = (await this.session.get(lastIssuedId))?.seq ?? 0;
    return this.tenantCapAfter(upToId, tenantId, since, cap);
  }

  /** tenantCap, with the last outbox id issued read (before anything is counted) as `upToId`. */
  private async tenantCapAfter(
    upToId: number,
    tenantId: number,
    since: number,
    cap: number,
  ): Promise<CapCheck> {
    const values = { tenantId, since, offset: cap - 1 };
    const tally = this.tallies.get(tenantId);
    if (tally && since >= tally.since && tally.count + Math.max(0, upToId - tally.upToId) < cap) {
      return { reached: false };
    }
    const check = await this.walk(tenantNth, tenantOldest, values);
    if (check.reached) this.tallies.delete(tenantId);
    else
      this.tallies.set(tenantId, {
        since,
        upToId,
        count: (await this.session.get(tenantCount, values))?.n ?? 0,
      });
    return check;
  }

  /** Whether the tenant queued `cap` emails or more to this address after `since`. */
  recipientCap(tenantId: number, toAddress: string, since: number, cap: number): Promise<CapCheck> {
    return this.walk(recipientNth, recipientOldest, { tenantId, toAddress, since, offset: cap - 1 });
  }

  private async walk(
    nth: typeof tenantNth,
    oldest: typeof tenantOldest,
    values: { since: number } & Record<string, unknown>,
  ): Promise<CapCheck> {
    if ((await this.session.get(nth, values)) === undefined) return { reached: false };
    return this.full(oldest, values);
  }

  /** A window known to hold its cap: when its oldest email was queued (the wait until a slot frees). */
  private async full(
    oldest: typeof tenantOldest,
    values: { since: number } & Record<string, unknown>,
  ): Promise<CapCheck> {
    return { reached: true, oldestAt: (await this.session.get(oldest, values))?.at ?? values.since };
  }
}
