import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { emailOutbox } from "../schema.js";

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

export class OutboxRepository {
  private readonly insertOne;
  private readonly cancelQueued;

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
      .where(and(eq(emailOutbox.invitationId, sql.placeholder("invitationId")), eq(emailOutbox.status, "queued")))
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
}
