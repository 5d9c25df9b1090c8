import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { InvitationService } from "../invitations/invitation.service.js";
import type { DeliveryOutcome } from "../mail/delivery-worker.js";
import type { WebhookOutcome } from "../webhooks/webhook-worker.js";
import type { WebhookService } from "../webhooks/webhook.service.js";

/** The service operations counted, by method name; the label is the GraphQL operation's name. */
const OPERATIONS = {
  resendInvitation: "resendInvitation",
  inviteUser: "inviteUser",
  revokeInvitation: "revokeInvitation",
  acceptInvitation: "acceptInvitation",
  findInvitation: "invitation",
  listInvitations: "invitations",
  listAuditEvents: "auditEvents",
  viewer: "viewer",
} as const satisfies Partial<Record<keyof InvitationService, string>>;

/** The webhook operations counted: each method is named as its GraphQL operation. */
const WEBHOOK_OPERATIONS = [
  "webhookEndpoints",
  "webhookDeliveries",
  "createWebhookEndpoint",
  "updateWebhookEndpoint",
  "deleteWebhookEndpoint",
  "rotateWebhookSecret",
  "redeliverWebhook",
] as const satisfies readonly (keyof WebhookService)[];

/**
 * Prometheus metrics of one server. Labels name operations, routes, outcomes and statuses: never a tenant,
 * a user, an id or an address, so a scrape shows no tenant's data and the series stay few.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new Counter({
    name: "invitation_api_operations_total",
    help: "Service operations by operation and outcome (the result union's member), whatever the channel.",
    labelNames: ["operation", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly sendLimits = new Counter({
    name: "invitation_api_send_refusals_total",
    help: "Sends refused by a limit: the invitee's cooldown or an email cap.",
    labelNames: ["limit"] as const,
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: "invitation_api_http_requests_total",
    help: "HTTP requests by route (its pattern), method and status.",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "invitation_api_http_request_duration_seconds",
    help: "Time from request to response, by route.",
    labelNames: ["route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: "invitation_api_email_deliveries_total",
    help: "Email delivery attempts by result: sent, retry (temporary failure), failed, cancelled.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: "invitation_api_webhook_deliveries_total",
    help: "Webhook delivery attempts by result: delivered, retry (failed, will retry), failed (given up).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  private readonly requestRateLimited = new Counter({
    name: "invitation_api_request_rate_limited_total",
    help: "Requests refused by the per-key (or per-address) request rate limit.",
    registers: [this.registry],
  });

  constructor(
    outboxDepth: () => Promise<Record<"queued" | "sending", number>>,
    webhookDepth: () => Promise<Record<"queued" | "sending", number>>,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: "invitation_api_" });
    new Gauge({
      name: "invitation_api_outbox_emails",
      help: "Emails waiting in the outbox: queued (due now or later) and sending (claimed under a lease).",
      labelNames: ["status"] as const,
      registers: [this.registry],
      async collect() {
        const depth = await outboxDepth();
        for (const status of ["queued", "sending"] as const) this.set({ status }, depth[status]);
      },
    });
    new Gauge({
      name: "invitation_api_webhook_deliveries_waiting",
      help: "Webhook deliveries waiting: queued (due now or later) and sending (claimed under a lease).",
      labelNames: ["status"] as const,
      registers: [this.registry],
      async collect() {
        const depth = await webhookDepth();
        for (const status of ["queued", "sending"] as const) this.set({ status }, depth[status]);
      },
    });
  }

  /** Wraps the webhook service likewise: every call counts its outcome. */
  instrumentWebhooks(service: WebhookService): WebhookService {
    const instrumented = Object.create(service) as WebhookService;
    for (const operation of WEBHOOK_OPERATIONS) {
      const original = service[operation].bind(service) as (...args: unknown[]) => Promise<{ kind: string }>;
      (instrumented as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
        const result = await original(...args);
        this.operations.inc({ operation, outcome: result.kind });
        return result;
      };
    }
    return instrumented;
  }

  /** Wraps the service so every call, from any adapter, counts its outcome. */
  instrument(service: InvitationService): InvitationService {
    const instrumented = Object.create(service) as InvitationService;
    for (const [method, operation] of Object.entries(OPERATIONS) as [keyof typeof OPERATIONS, string][]) {
      const original = service[method].bind(service) as (...args: unknown[]) => Promise<{ kind: string }>;
      (instrumented as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        const result = await original(...args);
        this.operations.inc({ operation, outcome: result.kind });
        if (result.kind === "ResendRateLimited" && "limit" in result) {
          this.sendLimits.inc({ limit: String(result.limit) });
        }
        return result;
      };
    }
    return instrumented;
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  rateLimited(): void {
    this.requestRateLimited.inc();
  }

  delivered(outcome: DeliveryOutcome): void {
    this.deliveries.inc({ result: outcome.kind });
  }

  webhookDelivered(outcome: WebhookOutcome): void {
    this.webhookDeliveries.inc({ result: outcome.kind });
  }
}
