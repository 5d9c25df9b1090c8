import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { parseEntityRef } from "./entity-ref.js";
import { errors } from "./errors.js";
import type { Gatekeeper } from "./gatekeeper.js";
import { effectiveStatus } from "./model.js";
import type { RevokeInvitationInput, RevokeInvitationResult } from "./results.js";

const ACTION = "invitation.revoke";

/** Ends a pending (or expired) invitation: its token stops working at once and queued emails are dropped. */
export function revokeInvitation(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: RevokeInvitationInput,
): RevokeInvitationResult {
  const targetId = input.invitationId;
  const admission = gatekeeper.admit(call, "revokeInvitation", ACTION, targetId);
  if (!admission.ok) return admission.error;
  const { actor } = admission;
  const { store } = deps;
  const ref = parseEntityRef(input.invitationId);

  return store.transaction(() => {
    const result = revoke();
    gatekeeper.audit(call, actor, {
      action: ACTION,
      targetType: "invitation",
      targetId,
      outcome: result.kind === "RevokeInvitationSuccess" ? "SUCCESS" : result.code,
    });
    return result;
  });

  function revoke(): RevokeInvitationResult {
    if (ref === null) {
      return errors.invalidInput([
        { path: ["input", "invitationId"], message: "Must be a positive integer id or a UUID." },
      ]);
    }
    const invitation = store.invitations.findInTenant(actor.tenant.id, ref);
    if (!invitation) return errors.invitationNotFound();
    const status = effectiveStatus(invitation, deps.now());
    if (status === "ACCEPTED" || status === "REVOKED") return errors.invitationNotPending(status);

    const revoked = store.invitations.markRevoked(invitation.id, deps.now());
    store.outbox.cancelQueuedForInvitation(invitation.id);
    const [invitee, inviter] = [revoked.userId, revoked.inviterId].map((id) =>
      id === null ? undefined : store.users.findInTenant(actor.tenant.id, { id }),
    );
    if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
    return {
      kind: "RevokeInvitationSuccess",
      details: { invitation: revoked, invitee, inviter: inviter ?? null, tenant: actor.tenant },
    };
  }
}
