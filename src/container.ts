import { randomUUID } from "node:crypto";
import { Authenticator } from "./auth/authenticator.js";
import { generateInvitationToken } from "./auth/secrets.js";
import type { Database } from "./db/database.js";
import { Store } from "./db/store.js";
import { InvitationService, type InvitationSettings } from "./invitations/invitation.service.js";
import { loadInvitationEmailRenderer } from "./mail/invitation-email.js";
import { Metrics } from "./metrics/metrics.js";
import { CedarAuthorizer } from "./policies/cedar-authorizer.js";
import { defaultPolicySet, type PolicySet } from "./policies/policy-set.js";
import { Gatekeeper } from "./invitations/gatekeeper.js";
import { WebhookService, type WebhookSettings } from "./webhooks/webhook.service.js";

export interface ContainerOptions {
  readonly database: Database;
  readonly settings: InvitationSettings;
  readonly now?: () => number;
  readonly generateToken?: () => string;
  /** Count every operation's outcome (GET /metrics); null or absent: no metrics. */
  readonly metrics?: boolean;
  /** The authorization policies; default: the shipped ones. */
  readonly policies?: PolicySet;
  /** Webhook secrets and address rules; default: no secret key (no endpoints), public addresses only. */
  readonly webhooks?: WebhookSettings;
}

/** The wired core: one place that decides which implementation each part gets. Tests swap the clock and tokens. */
export interface Container {
  readonly store: Store;
  readonly service: InvitationService;
  readonly authorizer: CedarAuthorizer;
  readonly now: () => number;
  readonly metrics: Metrics | null;
  /** Where clients reach the server (PUBLIC_URL): accept links, and the OpenAPI document's `servers`. */
  readonly publicUrl: string;
  readonly webhooks: WebhookService;
}

export function createContainer(options: ContainerOptions): Container {
  const now = options.now ?? Date.now;
  const store = new Store(options.database);
  const metrics = options.metrics
    ? new Metrics(
        () => store.outbox.countWaiting(),
        () => store.webhookDeliveries.countWaiting(),
      )
    : null;
  const authorizer = new CedarAuthorizer(options.policies ?? defaultPolicySet());
  const deps = {
    store,
    authenticator: new Authenticator(store, now),
    authorizer,
    renderEmail: loadInvitationEmailRenderer(),
    settings: options.settings,
    now,
    generateToken: options.generateToken ?? generateInvitationToken,
    generateUuid: randomUUID,
  };
  const service = new InvitationService(deps);
  const webhooks = new WebhookService(
    deps,
    new Gatekeeper(deps),
    options.webhooks ?? { secrets: null, allowPrivate: false },
  );
  return {
    store,
    service: metrics ? metrics.instrument(service) : service,
    authorizer,
    now,
    metrics,
    publicUrl: options.settings.publicUrl,
    webhooks: metrics ? metrics.instrumentWebhooks(webhooks) : webhooks,
  };
}
