import type { Logger } from "pino";
import type {
  AttemptResult,
  DueWebhookDelivery,
  WebhookClaim,
} from "../db/repositories/webhook-delivery.repository.js";
import type { Repositories, Store } from "../db/store.js";
import { retryDelayMs, type RetryPolicy } from "../mail/backoff.js";
import { PollingLoop } from "../shared/polling-loop.js";
import { checkHost, systemResolver, type Resolver } from "./address-guard.js";
import { ENDPOINT_DISABLED_EVENT, eventBody, webhookMessageId } from "./events.js";
import { DEFAULT_TIMEOUTS, sendWebhook, type SenderTimeouts, type WebhookResponse } from "./http-sender.js";
import { SecretUnreadable, type SecretBox } from "./secret-box.js";
import { signatureHeader } from "./signature.js";

export interface WebhookWorkerOptions {
  readonly pollIntervalMs?: number;
  /** How long one attempt owns its delivery; more than the longest attempt the timeouts allow. */
  readonly leaseMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly timeouts?: Partial<SenderTimeouts>;
  /** An endpoint whose deliveries have failed, without one success, for this long is disabled. */
  readonly disableAfterMs?: number;
  /** Deliveries in flight at once (each lane claims its own). */
  readonly concurrency?: number;
  readonly stopTimeoutMs?: number;
  readonly random?: () => number;
  /** Name resolution for the address guard; tests substitute one. */
  readonly resolve?: Resolver;
}

export interface WebhookWorkerDeps {
  readonly store: Store;
  /** Null when WEBHOOK_SECRET_KEY is unset: nothing can be signed, and deliveries wait. */
  readonly secrets: SecretBox | null;
  readonly allowPrivate: boolean;
  readonly now: () => number;
  readonly logger: Logger;
  readonly generateUuid: () => string;
  readonly observe?: (outcome: WebhookOutcome) => void;
}

export type WebhookOutcome =
  | { readonly kind: "delivered"; readonly deliveryId: number; readonly statusCode: number }
  | {
      readonly kind: "retry";
      readonly deliveryId: number;
      readonly reason: string;
      readonly nextAttemptAt: number;
    }
  | { readonly kind: "failed"; readonly deliveryId: number; readonly reason: string };

/**
 * 5 s, 10 s, 20 s … capped at an hour, 30 attempts: retries span well over a day, so an endpoint that is down
 * is disabled (after `disableAfterMs` of failures) before its deliveries run out of attempts.
 */
export const WEBHOOK_RETRY_POLICY: RetryPolicy = { baseMs: 5_000, capMs: 3_600_000, maxAttempts: 30 };
const DAY_MS = 86_400_000;

const DEFAULTS = { pollIntervalMs: 1_000, leaseMs: 60_000, stopTimeoutMs: 5_000, concurrency: 4 };

interface Claimed {
  readonly claim: WebhookClaim;
  readonly due: DueWebhookDelivery;
}

/**
 * Delivers webhook_deliveries as the mail worker delivers the email outbox: claims one due delivery at a time
 * per lane under a lease (SQLite's BEGIN IMMEDIATE, PostgreSQL's SKIP LOCKED: across instances each delivery
 * is taken by one worker), sends it outside the transaction, then records the outcome fenced by the attempt.
 * Woken by the `webhook_deliveries` change signal (NOTIFY on PostgreSQL), with polling as the backstop.
 */
export class WebhookWorker {
  private readonly settings: typeof DEFAULTS & {
    retry: RetryPolicy;
    timeouts: SenderTimeouts;
    disableAfterMs: number;
    random: () => number;
    resolve: Resolver;
  };
  private readonly loop: PollingLoop<WebhookOutcome[]>;

  constructor(
    private readonly deps: WebhookWorkerDeps,
    options: WebhookWorkerOptions = {},
  ) {
    this.settings = {
      pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
      stopTimeoutMs: options.stopTimeoutMs ?? DEFAULTS.stopTimeoutMs,
      concurrency: Math.max(1, options.concurrency ?? DEFAULTS.concurrency),
      retry: { ...WEBHOOK_RETRY_POLICY, ...options.retry },
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      disableAfterMs: options.disableAfterMs ?? DAY_MS,
      random: options.random ?? Math.random,
      resolve: options.resolve ?? systemResolver,
    };
    this.loop = new PollingLoop({
      pass: () => this.deliverDue(),
      subscribe: (wake) => deps.store.database.onChange("webhook_deliveries", wake),
      pollIntervalMs: this.settings.pollIntervalMs,
      stopTimeoutMs: this.settings.stopTimeoutMs,
      logger: deps.logger,
      passFailedMessage: "webhook delivery pass failed; retrying at the next poll",
      stoppedInFlightMessage: "webhook delivery stopped with a delivery in flight; retried after its lease",
    });
  }

  start(): void {
    if (!this.loop.start()) return;
    if (!this.deps.secrets) {
      this.deps.logger.warn(
        "WEBHOOK_SECRET_KEY is not set: webhook deliveries wait until it is (endpoints cannot be created)",
      );
    }
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: every delivery due now, `concurrency` at a time. Resolves to what became of each. */
  runOnce(): Promise<WebhookOutcome[]> {
    return this.loop.runOnce();
  }

  private async deliverDue(): Promise<WebhookOutcome[]> {
    // No secret key: nothing can be signed; deliveries keep their place in the queue.
    if (!this.deps.secrets) return [];
    const dueBy = this.deps.now();
    const outcomes: WebhookOutcome[] = [];
    const lane = async () => {
      while (!this.loop.stopping) {
        const next = await this.claimNext(dueBy);
        if (next === null) return;
        const outcome = "claim" in next ? await this.deliver(next) : next;
        this.deps.observe?.(outcome);
        outcomes.push(outcome);
      }
    };
    await Promise.all(Array.from({ length: this.settings.concurrency }, lane));
    return outcomes;
  }

  private claimNext(dueBy: number): Promise<Claimed | WebhookOutcome | null> {
    const now = this.deps.now();
    return this.deps.store.transaction(async ({ webhookDeliveries }) => {
      const due = await webhookDeliveries.nextDue(dueBy);
      if (!due) return null;
      const current = { id: due.id, attempt: due.attempts };
      const giveUp = async (reason: string): Promise<WebhookOutcome> => {
        await webhookDeliveries.markFailed(current, {
          statusCode: null,
          error: reason,
          responseExcerpt: null,
        });
        return { kind: "failed", deliveryId: due.id, reason };
      };
      if (due.endpoint.status !== "active") return giveUp("the endpoint is disabled");
      if (due.attempts >= this.settings.retry.maxAttempts) {
        return giveUp(`gave up after ${due.attempts} attempts: the last one was interrupted`);
      }
      const claim = await webhookDeliveries.claim(due, now + this.settings.leaseMs);
      if (!claim) throw new Error(`webhook delivery ${due.id} changed inside its claim transaction`);
      return { claim, due };
    });
  }

  private async deliver({ claim, due }: Claimed): Promise<WebhookOutcome> {
    const response = await this.attempt(due);
    const result: AttemptResult =
      response.kind === "response"
        ? {
            statusCode: response.statusCode,
            error: ok(response.statusCode) ? null : `HTTP ${response.statusCode}`,
            responseExcerpt: response.excerpt === "" ? null : response.excerpt,
          }
        : { statusCode: null, error: response.reason, responseExcerpt: null };
    if (response.kind === "response" && ok(response.statusCode)) {
      const now = this.deps.now();
      const recorded = await this.deps.store.transaction(async (tx) => {
        const marked = await tx.webhookDeliveries.markDelivered(claim, result, now);
        if (marked) await tx.webhookEndpoints.markHealthy(due.endpoint.id);
        return marked;
      });
      this.warnIfLeaseLost(recorded, claim);
      this.deps.logger.info(
        { deliveryId: due.id, attempt: claim.attempt, statusCode: response.statusCode },
        "webhook delivered",
      );
      return { kind: "delivered", deliveryId: due.id, statusCode: response.statusCode };
    }
    return this.recordFailure(claim, due, result);
  }

  /** Signs and sends one attempt; every refusal before the request is a failed attempt with its reason. */
  private async attempt(due: DueWebhookDelivery): Promise<WebhookResponse> {
    const now = this.deps.now();
    let secrets: string[];
    try {
      secrets = this.signingSecrets(due, now);
    } catch (error) {
      if (error instanceof SecretUnreadable) return { kind: "error", reason: error.message };
      throw error;
    }
    const url = new URL(due.endpoint.url);
    const check = await checkHost(url.hostname, this.deps.allowPrivate, this.settings.resolve);
    if (!check.ok) return { kind: "error", reason: `refused: ${check.reason}` };
    const timestamp = Math.floor(now / 1000);
    return sendWebhook(
      {
        url,
        address: check.address,
        body: due.payload,
        headers: {
          "webhook-id": due.eventId,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signatureHeader(secrets, due.eventId, timestamp, due.payload),
        },
      },
      this.settings.timeouts,
    );
  }

  /** The current secret, and during a rotation's overlap the previous one too. */
  private signingSecrets(due: DueWebhookDelivery, now: number): string[] {
    const box = this.deps.secrets;
    if (!box) throw new SecretUnreadable("WEBHOOK_SECRET_KEY is not set");
    const { endpoint } = due;
    const secrets = [box.open(endpoint.secretCiphertext, endpoint.uuid)];
    if (
      endpoint.previousSecretCiphertext !== null &&
      endpoint.previousSecretExpiresAt !== null &&
      endpoint.previousSecretExpiresAt > now
    ) {
      secrets.push(box.open(endpoint.previousSecretCiphertext, endpoint.uuid));
    }
    return secrets;
  }

  private async recordFailure(
    claim: WebhookClaim,
    due: DueWebhookDelivery,
    result: AttemptResult,
  ): Promise<WebhookOutcome> {
    const { retry, random, disableAfterMs } = this.settings;
    const now = this.deps.now();
    const reason = result.error ?? "failed";
    const last = claim.attempt >= retry.maxAttempts;
    const nextAttemptAt = now + retryDelayMs(retry, claim.attempt, random);
    const recorded = await this.deps.store.transaction(async (tx) => {
      const marked = last
        ? await tx.webhookDeliveries.markFailed(claim, {
            ...result,
            error: `gave up after ${claim.attempt} attempts: ${reason}`,
          })
        : await tx.webhookDeliveries.markRetry(claim, result, nextAttemptAt);
      if (!marked) return false;
      await tx.webhookEndpoints.markFailing(due.endpoint.id, now);
      const endpoint = await tx.webhookEndpoints.findById(due.endpoint.id);
      if (endpoint?.failingSince != null && now - endpoint.failingSince >= disableAfterMs) {
        await this.disableEndpoint(tx, endpoint.id, endpoint.failingSince, now);
      }
      return true;
    });
    this.warnIfLeaseLost(recorded, claim);
    if (last) {
      this.deps.logger.warn(
        { deliveryId: due.id, attempt: claim.attempt, reason },
        "webhook delivery failed for good",
      );
      return { kind: "failed", deliveryId: due.id, reason };
    }
    this.deps.logger.info(
      { deliveryId: due.id, attempt: claim.attempt, reason, retryAt: new Date(nextAttemptAt).toISOString() },
      "webhook delivery failed; will retry",
    );
    return { kind: "retry", deliveryId: due.id, reason, nextAttemptAt };
  }

  /**
   * Disables an endpoint that has failed for `disableAfterMs`: what waits for it fails, the tenant's other
   * endpoints are told (`webhook_endpoint.disabled`), and the audit trail records it. One transaction.
   */
  private async disableEndpoint(tx: Repositories, endpointId: number, failingSince: number, now: number) {
    const hours = Math.round((now - failingSince) / 3_600_000);
    const reason = `every delivery failed for ${hours} hour(s) since ${new Date(failingSince).toISOString()}`;
    const disabled = await tx.webhookEndpoints.disable(endpointId, reason, now);
    if (!disabled) return;
    await tx.webhookDeliveries.failWaitingForEndpoint(endpointId, "the endpoint was disabled for failing");
    const data = {
      tenant: { id: String(disabled.tenantId) },
      endpoint: { id: String(disabled.id), uuid: disabled.uuid, url: disabled.url },
      reason,
      failingSince: new Date(failingSince).toISOString(),
      disabledAt: new Date(now).toISOString(),
    };
    await tx.webhookDeliveries.enqueueToOthers(
      {
        tenantId: disabled.tenantId,
        eventId: webhookMessageId(this.deps.generateUuid()),
        eventType: ENDPOINT_DISABLED_EVENT,
        payload: eventBody(ENDPOINT_DISABLED_EVENT, data, now),
        now,
      },
      disabled.id,
    );
    await tx.audit.record({
      tenantId: disabled.tenantId,
      actorUserId: null,
      action: "webhook_endpoint.disable",
      targetType: "webhook_endpoint",
      targetId: String(disabled.id),
      outcome: "SUCCESS",
      requestId: null,
      details: { reason, failingSince, url: disabled.url },
      at: now,
    });
    this.deps.logger.warn({ endpointId, reason }, "webhook endpoint disabled");
  }

  private warnIfLeaseLost(recorded: boolean, claim: WebhookClaim): void {
    if (!recorded) {
      this.deps.logger.warn(
        { deliveryId: claim.id, attempt: claim.attempt },
        "webhook outcome not recorded: lease lost",
      );
    }
  }
}

const ok = (status: number) => status >= 200 && status < 300;
