import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import type { ClaimRef } from "../db/repositories/outbox.repository.js";
import type { Repositories, Store } from "../db/store.js";
import { PollingLoop } from "../shared/polling-loop.js";
import { emitDeliveryFailed } from "../webhooks/events.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from "./backoff.js";
import { deadLinkReason } from "./dead-link.js";
import type { MailTransport, OutgoingEmail } from "./mail-transport.js";
import { outboxMessageId } from "./message-id.js";
import { classifyDeliveryError, type DeliveryFailure } from "./smtp-errors.js";

export interface DeliveryWorkerOptions {
  /** Pause between two looks for due emails once the outbox is empty. */
  readonly pollIntervalMs?: number;
  /**
   * How long one attempt owns its email. A worker that dies mid-send leaves the email to be retaken after
   * this; it must exceed the longest send the SMTP timeouts allow.
   */
  readonly leaseMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** How long `stop()` waits for an email being sent before giving up on it (it is retaken after its lease). */
  readonly stopTimeoutMs?: number;
  /** Source of backoff jitter; tests pin it. */
  readonly random?: () => number;
}

export interface DeliveryWorkerDeps {
  readonly store: Store;
  readonly transport: MailTransport;
  readonly mailFrom: string;
  readonly now: () => number;
  readonly logger: Logger;
  /** Told of every delivery outcome (metrics). */
  readonly observe?: (outcome: DeliveryOutcome) => void;
}

export type DeliveryOutcome =
  | { readonly kind: "sent"; readonly outboxId: number; readonly attempt: number }
  | {
      readonly kind: "retry";
      readonly outboxId: number;
      readonly attempt: number;
      readonly reason: string;
      readonly nextAttemptAt: number;
    }
  | { readonly kind: "failed"; readonly outboxId: number; readonly attempt: number; readonly reason: string }
  | { readonly kind: "cancelled"; readonly outboxId: number; readonly reason: string };

/** Whose email it is: a failure for good is reported to the tenant's webhooks as `invitation.delivery_failed`. */
interface EmailSource {
  readonly tenantId: number;
  readonly invitationId: number | null;
}

type Claimed = {
  readonly kind: "claimed";
  readonly claim: ClaimRef;
  readonly source: EmailSource;
  readonly email: OutgoingEmail;
};

// The stop timeout stays under the server's shutdown timeout, so a hung SMTP send cannot turn SIGTERM into exit 1.
const DEFAULTS = { pollIntervalMs: 500, leaseMs: 120_000, stopTimeoutMs: 5_000 };

/**
 * Delivers the email outbox: claims one due email at a time under a lease (in a transaction that locks it:
 * SQLite's BEGIN IMMEDIATE, PostgreSQL's SKIP LOCKED, so several processes sharing the database never take
 * the same email), sends it outside the transaction,
 * and records the outcome. An email is marked sent only after the server accepted it, so a restart never
 * sends it again, unless the process died between the two.
 */
export class DeliveryWorker {
  private readonly settings: typeof DEFAULTS & { retry: RetryPolicy; random: () => number };
  private readonly loop: PollingLoop<DeliveryOutcome[]>;

  constructor(
    private readonly deps: DeliveryWorkerDeps,
    options: DeliveryWorkerOptions = {},
  ) {
    this.settings = {
      pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
      stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      random: options.random ?? Math.random,
    };
    this.loop = new PollingLoop({
      pass: () => this.deliverDue(),
      // Woken at once when an email is queued (PostgreSQL: by any instance); polling stays as the backstop.
      subscribe: (wake) => deps.store.database.onChange("email_outbox", wake),
      pollIntervalMs: this.settings.pollIntervalMs,
      stopTimeoutMs: this.settings.stopTimeoutMs,
      logger: deps.logger,
      passFailedMessage: "mail delivery pass failed; retrying at the next poll",
      stoppedInFlightMessage:
        "mail delivery stopped with an email in flight; it is retried once its lease ends",
      onStopped: () => {
        deps.transport.close();
        if (this.loop.started) deps.logger.info("mail delivery stopped");
      },
    });
  }

  /** Starts polling; emails already due (left by a previous run) go first. */
  start(): void {
    if (!this.loop.start()) return;
    this.deps.logger.info({ transport: this.deps.transport.description }, "mail delivery started");
  }

  /** Stops polling, waits for the email being sent (bounded by `stopTimeoutMs`), and closes the transport. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: delivers every email due now, one after another. Resolves to what became of each. */
  runOnce(): Promise<DeliveryOutcome[]> {
    return this.loop.runOnce();
  }

  private async deliverDue(): Promise<DeliveryOutcome[]> {
    // Emails requeued during this pass are due later than its start, so the pass always ends.
    const dueBy = this.deps.now();
    const outcomes: DeliveryOutcome[] = [];
    while (!this.loop.stopping) {
      const next = await this.claimNext(dueBy);
      if (next === null) break;
      const outcome = next.kind === "claimed" ? await this.send(next) : next;
      this.deps.observe?.(outcome);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Claims the next due email, or settles it on the spot when it must not be sent. */
  private claimNext(dueBy: number): Promise<Claimed | DeliveryOutcome | null> {
    const { store, mailFrom, logger } = this.deps;
    const now = this.deps.now();
    return store.transaction(async (tx): Promise<Claimed | DeliveryOutcome | null> => {
      const { outbox } = tx;
      const due = await outbox.nextDue(dueBy);
      if (!due) return null;
      const current = { id: due.id, attempt: due.attempts };
      const source = { tenantId: due.tenantId, invitationId: due.invitation?.id ?? null };

      const deadLink = deadLinkReason(due, now);
      if (deadLink !== null) {
        await outbox.markCancelled(current, deadLink);
        logger.info({ outboxId: due.id, reason: deadLink }, "email not sent: its link no longer works");
        return { kind: "cancelled", outboxId: due.id, reason: deadLink };
      }
      if (due.status === "sending") {
        logger.warn(
          { outboxId: due.id, attempt: due.attempts },
          "retaking an email whose delivery was interrupted",
        );
      }
      if (due.textBody === null || due.htmlBody === null) {
        return this.fail(tx, current, source, "the email body is missing");
      }
      if (due.attempts >= this.settings.retry.maxAttempts) {
        return this.fail(
          tx,
          current,
          source,
          `gave up after ${due.attempts} attempts: the last one was interrupted`,
        );
      }

      const messageId = outboxMessageId(due, mailFrom);
      const claim = await outbox.claim(due, now + this.settings.leaseMs, messageId);
      if (!claim) throw new Error(`outbox row ${due.id} changed inside its claim transaction`);
      const email = { from: mailFrom, to: due.toAddress, subject: due.subject, messageId };
      return { kind: "claimed", claim, source, email: { ...email, text: due.textBody, html: due.htmlBody } };
    });
  }

  private async send({ claim, source, email }: Claimed): Promise<DeliveryOutcome> {
    try {
      await this.deps.transport.send(email);
    } catch (error) {
      return this.recordFailure(claim, source, classifyDeliveryError(error));
    }
    const recorded = await this.deps.store.outbox.markSent(claim, this.deps.now());
    this.warnIfLeaseLost(recorded, claim);
    this.deps.logger.info(
      { outboxId: claim.id, attempt: claim.attempt, messageId: email.messageId },
      "email sent",
    );
    return { kind: "sent", outboxId: claim.id, attempt: claim.attempt };
  }

  private async recordFailure(
    claim: ClaimRef,
    source: EmailSource,
    failure: DeliveryFailure,
  ): Promise<DeliveryOutcome> {
    const { retry, random } = this.settings;
    if (failure.kind === "permanent" || claim.attempt >= retry.maxAttempts) {
      const reason =
        failure.kind === "permanent"
          ? failure.reason
          : `gave up after ${claim.attempt} attempts: ${failure.reason}`;
      return this.deps.store.transaction((tx) => this.fail(tx, claim, source, reason));
    }
    const delayMs = retryDelayMs(retry, claim.attempt, random);
    const nextAttemptAt = this.deps.now() + delayMs;
    this.warnIfLeaseLost(await this.deps.store.outbox.markRetry(claim, failure.reason, nextAttemptAt), claim);
    this.deps.logger.warn(
      { outboxId: claim.id, attempt: claim.attempt, retryInMs: delayMs, reason: failure.reason },
      "email delivery failed; will retry",
    );
    return {
      kind: "retry",
      outboxId: claim.id,
      attempt: claim.attempt,
      reason: failure.reason,
      nextAttemptAt,
    };
  }

  /** Gives up on the email, and in the same transaction tells the tenant's webhooks (delivery_failed). */
  private async fail(
    tx: Repositories,
    claim: ClaimRef,
    source: EmailSource,
    reason: string,
  ): Promise<DeliveryOutcome> {
    const marked = await tx.outbox.markFailed(claim, reason);
    this.warnIfLeaseLost(marked, claim);
    if (marked) await emitDeliveryFailed(tx, source, reason, randomUUID(), this.deps.now());
    this.deps.logger.error(
      { outboxId: claim.id, attempt: claim.attempt, reason },
      "email delivery failed for good",
    );
    return { kind: "failed", outboxId: claim.id, attempt: claim.attempt, reason };
  }

  /** A mark that matched nothing means the lease ran out mid-send and another worker owns the email now. */
  private warnIfLeaseLost(recorded: boolean, claim: ClaimRef): void {
    if (!recorded) {
      this.deps.logger.warn(
        { outboxId: claim.id, attempt: claim.attempt },
        "delivery outcome not recorded: lease lost",
      );
    }
  }
}
