import { hashSecret } from "../auth/secrets.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { errors } from "./errors.js";
import type { Gatekeeper } from "./gatekeeper.js";
import type { AcceptInvitationInput, AcceptInvitationResult } from "./results.js";

const ACTION = "invitation.accept";
/** Our tokens are 43 characters; anything far longer is not one and is not worth hashing. */
const MAX_TOKEN_LENGTH = 512;

/**
 * The token is the credential. Success marks the invitation accepted and the invitee verified in one
 * transaction, and drops the token, so a second accept (or a racing one) finds nothing.
 */
export function acceptInvitation(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: AcceptInvitationInput,
): AcceptInvitationResult {
  const token = input.token.trim();
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return errors.invalidInvitationToken();
  const tokenHash = hashSecret(token);
  const { store } = deps;

  return store.transaction(() => {
    const invitation = store.invitations.findByTokenHash(tokenHash);
    if (!invitation || invitation.status !== "pending") return errors.invalidInvitationToken();
    const now = deps.now();
    const who = { tenant: { id: invitation.tenantId }, user: { id: invitation.userId } };
    const audit = { action: ACTION, targetType: "invitation", targetId: String(invitation.id) };
    if (invitation.expiresAt <= now) {
      gatekeeper.audit(call, who, { ...audit, outcome: "INVITATION_EXPIRED" });
      return errors.invitationExpired(invitation.expiresAt);
    }

    const accepted = store.invitations.markAccepted(invitation.id, now);
    store.users.markEmailVerified(invitation.userId, now);
    store.outbox.cancelQueuedForInvitation(invitation.id);
    gatekeeper.audit(call, who, { ...audit, outcome: "SUCCESS" });

    const tenant = store.tenants.findById(invitation.tenantId);
    const invitee = store.users.findInTenant(invitation.tenantId, { id: invitation.userId });
    if (!tenant || !invitee) throw new Error(`invitation ${invitation.id} lost its tenant or invitee`);
    const inviter =
      accepted.inviterId === null
        ? null
        : (store.users.findInTenant(tenant.id, { id: accepted.inviterId }) ?? null);
    return { kind: "AcceptInvitationSuccess", details: { invitation: accepted, invitee, inviter, tenant } };
  });
}
