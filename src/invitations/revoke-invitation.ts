import type { Repositories } from "../db/store.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { parseEntityRef } from "./entity-ref.js";
import { errors } from "./errors.js";
import { invitationResource } from "./authorization.js";
import { principalOf, refusalDetails, type Gatekeeper } from "./gatekeeper.js";
import { effectiveStatus } from "./model.js";
import type { RevokeInvitationInput, RevokeInvitationResult } from "./results.js";
import { changeOrRefuse } from "./transactions.js";
import { emitInvitationEvent } from "../webhooks/events.js";

const ACTION = "invitation.revoke";

/** Ends a pending (or expired) invitation: its token stops working at once and queued emails are dropped. */
export async function revokeInvitation(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: RevokeInvitationInput,
): Promise<RevokeInvitationResult> {
  const targetId = input.invitationId;
  const admission = await gatekeeper.admit(call, "revokeInvitation", ACTION, targetId);
  if (!admission.ok) return admission.error;
  const { actor } = admission;
  const ref = parseEntityRef(input.invitationId);

  return changeOrRefuse(deps, {
    run: (tx) => revoke(tx),
    isSuccess: (result) => result.kind === "RevokeInvitationSuccess",
    audit: (tx, result) =>
      gatekeeper.audit(tx, call, actor, {
        action: ACTION,
        targetType: "invitation",
        targetId,
        outcome: result.kind === "RevokeInvitationSuccess" ? "SUCCESS" : result.code,
        details: result.kind === "RevokeInvitationSuccess" ? null : refusalDetails(result),
      }),
  });

  async function revoke(tx: Repositories): Promise<RevokeInvitationResult> {
    if (ref === null) {
      return errors.invalidInput([
        { path: ["input", "invitationId"], message: "Must be a positive integer id or a UUID." },
      ]);
    }
    await tx.tenants.lockForWrites(actor.tenant.id);
    const found = await tx.invitations.findWithInviteeForUpdate(actor.tenant.id, ref);
    if (!found) return errors.invitationNotFound();
    const { invitation, invitee } = found;
    if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
    const status = effectiveStatus(invitation, deps.now());
    const resource = invitationResource(invitation, invitee, status, actor.tenant);
    const denial = gatekeeper.authorizeTarget(principalOf(actor), "revokeInvitation", resource);
    if (denial) return denial;
    if (status === "ACCEPTED" || status === "REVOKED") return errors.invitationNotPending(status);

    const revoked = await tx.invitations.markRevoked(invitation.id, deps.now());
    await tx.outbox.cancelQueuedForInvitation(invitation.id);
    const inviter =
      revoked.inviterId === null
        ? null
        : await tx.users.findInTenant(actor.tenant.id, { id: revoked.inviterId });
    const details = { invitation: revoked, invitee, inviter: inviter ?? null, tenant: actor.tenant };
    await emitInvitationEvent(
      tx,
      { type: "invitation.revoked", details, actor: { type: "user", user: actor.user } },
      deps.generateUuid(),
      deps.now(),
    );
    return { kind: "RevokeInvitationSuccess", details };
  }
}
