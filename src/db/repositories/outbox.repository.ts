import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import type { InvitationRow, OutboxRow } from "../schema/index.js";
import { p, statement } from "../statement.js";

export type OutboxStatus = OutboxRow["status"];

export interface QueuedEmail {
  readonly tenantId: number;
  readonly invitationId: number | null;
  readonly tokenHash: string | null;
  readonly toAddress: string;
  readonly subject: string;
  readonly textBody: string;
  readonly htmlBody: string;
  readonly now: number;
}

/** An email whose turn has come, with the state of the invitation its link belongs to (null for other emails). */
export interface DueEmail {
  readonly id: number;
  readonly tenantId: number;
  readonly tokenHash: string | null;
  readonly toAddress: string;
  readonly subject: string;
  readonly textBody: string | null;
  readonly htmlBody: string | null;
  /** `sending` when a crashed (or stalled) worker's lease has run out. */
  readonly status: OutboxStatus;
  /** Attempts started so far: the fencing value for `claim` and the marks below. */
  readonly attempts: number;
  readonly createdAt: number;
  readonly invitation: Pick<InvitationRow, "id" | "status" | "tokenHash" | "expiresAt"> | null;
}

/**
 * Identifies one claim of one row. Every claim increments `attempts`, so a worker whose lease ran out and whose
 * row was retaken by another worker finds its marks matching nothing, instead of overwriting the newer outcome.
 */
export interface ClaimRef {
  readonly id: number;
  readonly attempt: number;
}

export interface LatestDelivery {
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
  readonly createdAt: number;
}

const insertOne = statement<{ id: number }>(
  "outbox_insert",
  sql`INSERT INTO email_outbox (tenant_id, invitation_id, token_hash, to_address, subject, text_body, html_body,
        status, attempts, next_attempt_at, created_at)
      VALUES (${p("tenantId")}, ${p("invitationId")}, ${p("tokenHash")}, ${p("toAddress")}, ${p("subject")},
        ${p("textBody")}, ${p("htmlBody")}, 'queued', 0, ${p("now")}, ${p("now")})
      RETURNING id AS "id"`,
  { signals: "email_outbox" },
);
// A queued email whose link a newer send has replaced is dead weight holding a secret: drop it.
const cancelQueued = statement(
  "outbox_cancel_queued",
  sql`UPDATE email_outbox SET status = 'cancelled', text_body = NULL, html_body = NULL
      WHERE invitation_id = ${p("invitationId")} AND status = 'queued'`,
);

/** Null-safe: an email without an invitation joins nothing. */
const toDueEmail = (row: Record<string, unknown>): DueEmail => ({
  id: row.id as number,
  tenantId: row.tenantId as number,
  tokenHash: row.tokenHash as string | null,
  toAddress: row.toAddress as string,
  subject: row.subject as string,
  textBody: row.textBody as string | null,
  htmlBody: row.htmlBody as string | null,
  status: row.status as OutboxStatus,
  attempts: row.attempts as number,
  createdAt: row.createdAt as number,
  invitation:
    row.invitationId === null
      ? null
      : {
          id: row.invitationId as number,
          status: row.invitationStatus as InvitationRow["status"],
          tokenHash: row.invitationTokenHash as string | null,
          expiresAt: row.invitationExpiresAt as number,
        },
});
// SKIP LOCKED: workers of several instances each take a different due email, none waits for another.
const nextDueRow = statement<DueEmail>(
  "outbox_next_due",
  (
    d,
  ) => sql`SELECT email_outbox.id AS "id", email_outbox.tenant_id AS "tenantId", email_outbox.token_hash AS "tokenHash", email_outbox.to_address AS "toAddress",
        email_outbox.subject AS "subject", email_outbox.text_body AS "textBody", email_outbox.html_body AS "htmlBody",
        email_outbox.status AS "status", email_outbox.attempts AS "attempts", email_outbox.created_at AS "createdAt",
        invitations.id AS "invitationId", invitations.status AS "invitationStatus",
        invitations.token_hash AS "invitationTokenHash", invitations.expires_at AS "invitationExpiresAt"
      FROM email_outbox LEFT JOIN invitations ON invitations.id = email_outbox.invitation_id
      WHERE (email_outbox.status = 'queued' AND email_outbox.next_attempt_at <= ${p("dueBy")})
         OR (email_outbox.status = 'sending' AND email_outbox.lease_until <= ${p("dueBy")})
      ORDER BY email_outbox.next_attempt_at, email_outbox.id
      LIMIT 1${d.forUpdateSkipLocked("email_outbox")}`,
  { map: toDueEmail },
);

/** Every claim increments `attempts`: a mark carries the attempt it belongs to (fencing). */
const CLAIMED = sql`id = ${p("id")} AND attempts = ${p("attempt")}`;
const claimRow = statement<{ attempts: number }>(
  "outbox_claim",
  sql`UPDATE email_outbox SET status = 'sending', attempts = attempts + 1, lease_until = ${p("leaseUntil")},
        message_id = ${p("messageId")}
      WHERE ${CLAIMED} AND status IN ('queued', 'sending') RETURNING attempts AS "attempts"`,
);
// Every way out of the outbox purges the body: it holds a live accept link.
const finishSent = statement(
  "outbox_mark_sent",
  sql`UPDATE email_outbox SET status = 'sent', sent_at = ${p("now")}, lease_until = NULL, last_error = NULL,
        text_body = NULL, html_body = NULL
      WHERE ${CLAIMED} AND status = 'sending'`,
);
const requeue = statement(
  "outbox_requeue",
  sql`UPDATE email_outbox SET status = 'queued', next_attempt_at = ${p("nextAttemptAt")}, lease_until = NULL,
        last_error = ${p("error")}
      WHERE ${CLAIMED} AND status = 'sending'`,
);
const finishUnsent = statement(
  "outbox_mark_unsent",
  sql`UPDATE email_outbox SET status = ${p("status")}, lease_until = NULL, last_error = ${p("error")},
        text_body = NULL, html_body = NULL
      WHERE ${CLAIMED} AND status IN ('queued', 'sending')`,
);
const latestOfInvitation = statement<LatestDelivery>(
  "outbox_latest_of_invitation",
  sql`SELECT status AS "status", attempts AS "attempts", last_error AS "lastError", sent_at AS "deliveredAt",
        created_at AS "createdAt"
      FROM email_outbox WHERE invitation_id = ${p("invitationId")} ORDER BY id DESC LIMIT 1`,
);

// Only the waiting statuses: the due index serves them, and they stay few however many emails were sent.
const waiting = statement<{ status: "queued" | "sending"; n: number }>(
  "outbox_waiting_by_status",
  sql`SELECT status AS "status", count(*) AS "n" FROM email_outbox WHERE status IN ('queued', 'sending') GROUP BY status`,
);

export class OutboxRepository {
  constructor(private readonly session: SqlSession) {}

  async enqueue(email: QueuedEmail): Promise<number> {
    const row = await this.session.get(insertOne, { ...email });
    if (!row) throw new Error("outbox insert returned no row");
    return row.id;
  }

  /** Cancels emails still waiting for an invitation (superseded by a newer send, or revoked). */
  async cancelQueuedForInvitation(invitationId: number): Promise<void> {
    await this.session.run(cancelQueued, { invitationId });
  }

  /**
   * The oldest email due by `dueBy`: queued and due, or being sent under a lease that has run out. Inside a
   * transaction it stays locked for that transaction, and other workers pass it by.
   */
  nextDue(dueBy: number): Promise<DueEmail | undefined> {
    return this.session.get(nextDueRow, { dueBy });
  }

  /**
   * Takes `email` for one attempt until `leaseUntil`; returns the attempt number, or null when another worker
   * took it first. Call inside a transaction with `nextDue`.
   */
  async claim(email: DueEmail, leaseUntil: number, messageId: string): Promise<ClaimRef | null> {
    const row = await this.session.get(claimRow, {
      id: email.id,
      attempt: email.attempts,
      leaseUntil,
      messageId,
    });
    return row ? { id: email.id, attempt: row.attempts } : null;
  }

  /** Delivered: the body is purged. False when the claim was lost (the lease ran out and another worker took over). */
  async markSent(claim: ClaimRef, now: number): Promise<boolean> {
    return (await this.session.run(finishSent, { ...claim, now })) > 0;
  }

  /** A temporary failure: queued again for `nextAttemptAt`, the body kept for that attempt. */
  async markRetry(claim: ClaimRef, error: string, nextAttemptAt: number): Promise<boolean> {
    return (await this.session.run(requeue, { ...claim, error, nextAttemptAt })) > 0;
  }

  /** Given up (permanent failure, or the last attempt failed): the reason is kept, the body purged. */
  async markFailed(claim: ClaimRef, error: string): Promise<boolean> {
    return (await this.session.run(finishUnsent, { ...claim, status: "failed", error })) > 0;
  }

  /** Not to be sent at all (its link is dead): the reason is kept, the body purged. */
  async markCancelled(claim: ClaimRef, reason: string): Promise<boolean> {
    return (await this.session.run(finishUnsent, { ...claim, status: "cancelled", error: reason })) > 0;
  }

  /** How many emails wait: queued, and being sent under a lease. */
  async countWaiting(): Promise<Record<"queued" | "sending", number>> {
    const depth = { queued: 0, sending: 0 };
    for (const row of await this.session.all(waiting)) depth[row.status] = row.n;
    return depth;
  }

  /** The most recent email queued for the invitation, whatever became of it. */
  latestDeliveryForInvitation(invitationId: number): Promise<LatestDelivery | undefined> {
    return this.session.get(latestOfInvitation, { invitationId });
  }
}
