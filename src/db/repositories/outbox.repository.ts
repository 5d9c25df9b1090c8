import { and, desc, eq, inArray, lte, or, sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { param } from "../placeholders.js";
import { emailOutbox, invitations, type InvitationRow, type OutboxRow } from "../schema.js";

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

export class OutboxRepository {
  private readonly insertOne;
  private readonly cancelQueued;
  private readonly nextDueRow;
  private readonly claimRow;
  private readonly finishSent;
  private readonly requeue;
  private readonly finishUnsent;
  private readonly latestOfInvitation;

  constructor(db: Db) {
    this.insertOne = db
      .insert(emailOutbox)
      .values({
        tenantId: sql.placeholder("tenantId"),
        invitationId: sql.placeholder("invitationId"),
        tokenHash: sql.placeholder("tokenHash"),
        toAddress: sql.placeholder("toAddress"),
        subject: sql.placeholder("subject"),
        textBody: sql.placeholder("textBody"),
        htmlBody: sql.placeholder("htmlBody"),
        status: "queued",
        nextAttemptAt: sql.placeholder("now"),
        createdAt: sql.placeholder("now"),
      })
      .returning({ id: emailOutbox.id })
      .prepare();
    // A queued email whose link a newer send has replaced is dead weight holding a secret: drop it.
    this.cancelQueued = db
      .update(emailOutbox)
      .set({ status: "cancelled", textBody: null, htmlBody: null })
      .where(
        and(eq(emailOutbox.invitationId, sql.placeholder("invitationId")), eq(emailOutbox.status, "queued")),
      )
      .prepare();

    const dueBy = sql.placeholder("dueBy");
    this.nextDueRow = db
      .select({
        id: emailOutbox.id,
        tokenHash: emailOutbox.tokenHash,
        toAddress: emailOutbox.toAddress,
        subject: emailOutbox.subject,
        textBody: emailOutbox.textBody,
        htmlBody: emailOutbox.htmlBody,
        status: emailOutbox.status,
        attempts: emailOutbox.attempts,
        createdAt: emailOutbox.createdAt,
        invitation: {
          id: invitations.id,
          status: invitations.status,
          tokenHash: invitations.tokenHash,
          expiresAt: invitations.expiresAt,
        },
      })
      .from(emailOutbox)
      .leftJoin(invitations, eq(invitations.id, emailOutbox.invitationId))
      .where(
        or(
          and(eq(emailOutbox.status, "queued"), lte(emailOutbox.nextAttemptAt, dueBy)),
          and(eq(emailOutbox.status, "sending"), lte(emailOutbox.leaseUntil, dueBy)),
        ),
      )
      .orderBy(emailOutbox.nextAttemptAt, emailOutbox.id)
      .limit(1)
      .prepare();

    const claimed = (...statuses: OutboxStatus[]) =>
      and(
        eq(emailOutbox.id, sql.placeholder("id")),
        eq(emailOutbox.attempts, sql.placeholder("attempt")),
        inArray(emailOutbox.status, statuses),
      );
    this.claimRow = db
      .update(emailOutbox)
      .set({
        status: "sending",
        attempts: sql`${emailOutbox.attempts} + 1`,
        leaseUntil: param("leaseUntil"),
        messageId: param("messageId"),
      })
      .where(claimed("queued", "sending"))
      .returning({ attempts: emailOutbox.attempts })
      .prepare();
    // Every way out of the outbox purges the body: it holds a live accept link.
    this.finishSent = db
      .update(emailOutbox)
      .set({
        status: "sent",
        sentAt: param("now"),
        leaseUntil: null,
        lastError: null,
        textBody: null,
        htmlBody: null,
      })
      .where(claimed("sending"))
      .prepare();
    this.requeue = db
      .update(emailOutbox)
      .set({
        status: "queued",
        nextAttemptAt: param("nextAttemptAt"),
        leaseUntil: null,
        lastError: param("error"),
      })
      .where(claimed("sending"))
      .prepare();
    this.finishUnsent = db
      .update(emailOutbox)
      .set({
        status: param("status"),
        leaseUntil: null,
        lastError: param("error"),
        textBody: null,
        htmlBody: null,
      })
      .where(claimed("queued", "sending"))
      .prepare();

    this.latestOfInvitation = db
      .select({
        status: emailOutbox.status,
        attempts: emailOutbox.attempts,
        lastError: emailOutbox.lastError,
        deliveredAt: emailOutbox.sentAt,
        createdAt: emailOutbox.createdAt,
      })
      .from(emailOutbox)
      .where(eq(emailOutbox.invitationId, sql.placeholder("invitationId")))
      .orderBy(desc(emailOutbox.id))
      .limit(1)
      .prepare();
  }

  enqueue(email: QueuedEmail): number {
    const row = this.insertOne.get({ ...email });
    if (!row) throw new Error("outbox insert returned no row");
    return row.id;
  }

  /** Cancels emails still waiting for an invitation (superseded by a newer send, or revoked). */
  cancelQueuedForInvitation(invitationId: number): void {
    this.cancelQueued.run({ invitationId });
  }

  /** The oldest email due by `dueBy`: queued and due, or being sent under a lease that has run out. */
  nextDue(dueBy: number): DueEmail | undefined {
    return this.nextDueRow.get({ dueBy });
  }

  /**
   * Takes `email` for one attempt until `leaseUntil`; returns the attempt number, or null when another worker
   * took it first. Call inside a transaction with `nextDue`.
   */
  claim(email: DueEmail, leaseUntil: number, messageId: string): ClaimRef | null {
    const row = this.claimRow.get({ id: email.id, attempt: email.attempts, leaseUntil, messageId });
    return row ? { id: email.id, attempt: row.attempts } : null;
  }

  /** Delivered: the body is purged. False when the claim was lost (the lease ran out and another worker took over). */
  markSent(claim: ClaimRef, now: number): boolean {
    return this.finishSent.run({ ...claim, now }).changes > 0;
  }

  /** A temporary failure: queued again for `nextAttemptAt`, the body kept for that attempt. */
  markRetry(claim: ClaimRef, error: string, nextAttemptAt: number): boolean {
    return this.requeue.run({ ...claim, error, nextAttemptAt }).changes > 0;
  }

  /** Given up (permanent failure, or the last attempt failed): the reason is kept, the body purged. */
  markFailed(claim: ClaimRef, error: string): boolean {
    return this.finishUnsent.run({ ...claim, status: "failed", error }).changes > 0;
  }

  /** Not to be sent at all (its link is dead): the reason is kept, the body purged. */
  markCancelled(claim: ClaimRef, reason: string): boolean {
    return this.finishUnsent.run({ ...claim, status: "cancelled", error: reason }).changes > 0;
  }

  /** The most recent email queued for the invitation, whatever became of it. */
  latestDeliveryForInvitation(invitationId: number): LatestDelivery | undefined {
    return this.latestOfInvitation.get({ invitationId });
  }
}
