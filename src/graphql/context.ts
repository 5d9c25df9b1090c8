import type { CallContext, InvitationService } from "../invitations/invitation.service.js";

export interface GraphQLContext {
  readonly call: CallContext;
  readonly service: InvitationService;
  /** Milliseconds since the epoch: the same clock the service uses, so EXPIRED agrees everywhere. */
  readonly now: () => number;
}
