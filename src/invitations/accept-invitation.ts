import { hashSecret } from "../auth/secrets.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { errors } from "./errors.js";
import { invitationResource, userFacts } from "./authorization.js";
import { refusalDetails, type Gatekeeper } from "./gatekeeper.js";
import { effectiveStatus } from "./model.js";
import type { AcceptInvitationInput, AcceptInvitationResult } from "./results.js";
import { emitInvitationEvent } from "../webhooks/events.js";

const ACTION = "invitation.accept";
/** Our tokens are 43 characters; anything far longer is not one and is not worth hashing. */
const MAX_TOKEN_LENGTH = 512;

/**
 * The token is the credential. Success marks the invitation accepted and the invitee verified in one
 * transaction, and drops the token, so a second accept (or a racing one) finds nothing. The policies decide
 * with the invitee as the principal and the invitation as the resource, before its expiry is looked at.
 */
export async function acceptInvitation(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: AcceptInvitationInput,
): Promise<AcceptInvitationResult> {
  const token = input.token.trim();
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return errors.invalidInvitationToken();
  const tokenHash = hashSecret(token);
  return deps.store.transaction(async (tx) => {
    const invitation = await tx.invitations.findByTokenHashForUpdate(tokenHash);
    if (!invitation || invitation.status !== "pending") return errors.invalidInvitationToken();
    const now = deps.now();
    const who = { tenant: { id: invitation.tenantId }, user: { id: invitation.userId } };
    const audit = { action: ACTION, targetType: "invitation", targetId: String(invitation.id) };
    const tenant = await tx.tenants.findById(invitation.tenantId);
    const invitee = await tx.users.findInTenant(invitation.tenantId, { id: invitation.userId });
    if (!tenant || !invitee) throw new Error(`invitation ${invitation.id} lost its tenant or invitee`);
    const resource = invitationResource(invitation, invitee, effectiveStatus(invitation, now), tenant);
    const denial = gatekeeper.authorizeTarget(userFacts(invitee, tenant), "acceptInvitation", resource);
    if (denial) {
      await gatekeeper.audit(tx, call, who, {
        ...audit,
        outcome: denial.code,
        details: refusalDetails(denial),
      });
      return denial;
    }
    if (invitation.expiresAt <= now) {
      await gatekeeper.audit(tx, call, who, { ...audit, outcome: "INVITATION_EXPIRED" });
      return errors.invitationExpired(invitation.expiresAt);
    }

    const accepted = await tx.invitations.markAccepted(invitation.id, now);
    await tx.users.markEmailVerified(invitation.userId, now);
    await tx.outbox.cancelQueuedForInvitation(invitation.id);
    await gatekeeper.audit(tx, call, who, { ...audit, outcome: "SUCCESS" });

    // What markEmailVerified wrote (it changes only an unverified user).
    const verified =
      invitee.emailVerifiedAt === null ? { ...invitee, emailVerifiedAt: now, updatedAt: now } : invitee;
    const inviter =
      accepted.inviterId === null
        ? null
        : ((await tx.users.findInTenant(tenant.id, { id: accepted.inviterId })) ?? null);
    const details = { invitation: accepted, invitee: verified, inviter, tenant };
    await emitInvitationEvent(
      tx,
      { type: "invitation.accepted", details, actor: { type: "user", user: verified } },
      deps.generateUuid(),
      now,
    );
    return { kind: "AcceptInvitationSuccess", details };
  });
}
