import { acceptInvitation } from "./accept-invitation.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { Gatekeeper } from "./gatekeeper.js";
import {
  InvitationQueries,
  type AuditListRequest,
  type AuditPageResult,
  type InvitationListRequest,
  type InvitationPageResult,
  type LastDeliveryResult,
  type ViewerResult,
} from "./invitation-queries.js";
import { inviteUser } from "./invite-user.js";
import { resendInvitation } from "./resend-invitation.js";
import type {
  AcceptInvitationInput,
  AcceptInvitationResult,
  InvitationLookup,
  InviteUserInput,
  InviteUserResult,
  ResendInvitationInput,
  ResendInvitationResult,
  RevokeInvitationInput,
  RevokeInvitationResult,
} from "./results.js";
import { revokeInvitation } from "./revoke-invitation.js";

export type { CallContext, InvitationServiceDeps, InvitationSettings } from "./deps.js";

/**
 * The tenant-scoped invitation rules, one method per operation. Every adapter (GraphQL, each REST path)
 * calls these and only translates the result union; no rule lives anywhere else. Methods are async so
 * adapters do not change if a backend with asynchronous I/O replaces SQLite.
 */
export class InvitationService {
  private readonly gatekeeper: Gatekeeper;
  private readonly queries: InvitationQueries;

  constructor(private readonly deps: InvitationServiceDeps) {
    this.gatekeeper = new Gatekeeper(deps);
    this.queries = new InvitationQueries(deps, this.gatekeeper);
  }

  async resendInvitation(call: CallContext, input: ResendInvitationInput): Promise<ResendInvitationResult> {
    return resendInvitation(this.deps, this.gatekeeper, call, input);
  }

  async inviteUser(call: CallContext, input: InviteUserInput): Promise<InviteUserResult> {
    return inviteUser(this.deps, this.gatekeeper, call, input);
  }

  async revokeInvitation(call: CallContext, input: RevokeInvitationInput): Promise<RevokeInvitationResult> {
    return revokeInvitation(this.deps, this.gatekeeper, call, input);
  }

  async acceptInvitation(call: CallContext, input: AcceptInvitationInput): Promise<AcceptInvitationResult> {
    return acceptInvitation(this.deps, this.gatekeeper, call, input);
  }

  async findInvitation(call: CallContext, id: string): Promise<InvitationLookup> {
    return this.queries.findInvitation(call, id);
  }

  async lastDelivery(call: CallContext, invitationId: number): Promise<LastDeliveryResult> {
    return this.queries.lastDelivery(call, invitationId);
  }

  async listInvitations(call: CallContext, request: InvitationListRequest): Promise<InvitationPageResult> {
    return this.queries.listInvitations(call, request);
  }

  async listAuditEvents(call: CallContext, request: AuditListRequest): Promise<AuditPageResult> {
    return this.queries.listAuditEvents(call, request);
  }

  async viewer(call: CallContext): Promise<ViewerResult> {
    return this.queries.viewer(call);
  }
}
