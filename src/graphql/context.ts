import type { CallContext, InvitationService } from "../invitations/invitation.service.js";
import type { WebhookService } from "../webhooks/webhook.service.js";

export interface GraphQLContext {
  readonly call: CallContext;
  readonly service: InvitationService;
  readonly webhooks: WebhookService;
  /** Milliseconds since the epoch: the same clock the service uses, so EXPIRED agrees everywhere. */
  readonly now: () => number;
}
