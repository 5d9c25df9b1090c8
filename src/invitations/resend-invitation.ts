import type { Actor } from "../auth/authenticator.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { parseEntityRef } from "./entity-ref.js";
import { errors, type FieldError } from "./errors.js";
import type { Gatekeeper } from "./gatekeeper.js";
import { hasEmail, inviteeRefusal, sendInvitation } from "./invitation-sender.js";
import { effectiveStatus, type EntityRef } from "./model.js";
import { idempotencyKeyError, runIdempotently } from "./idempotency.js";
import type { ResendInvitationInput, ResendInvitationResult, ResendInvitationSuccess } from "./results.js";

const ACTION = "invitation.resend";

/**
 * Contract §5. Checks run in this order and the first failing one answers: authenticate, tenant header,
 * permission, input shape, target exists in the caller's tenant, target state, cooldown.
 */
export function resendInvitation(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: ResendInvitationInput,
): ResendInvitationResult {
  const targetId = input.invitationId ?? input.userId ?? null;
  const admission = gatekeeper.admit(call, "resendInvitation", ACTION, targetId);
  if (!admission.ok) return admission.error;
  const { actor } = admission;

  const target = parseTarget(input);
  if ("fieldErrors" in target) {
    const refusal = errors.invalidInput(target.fieldErrors);
    deps.store.transaction(() =>
      gatekeeper.audit(call, actor, { action: ACTION, targetType: null, targetId, outcome: refusal.code }),
    );
    return refusal;
  }

  const resend = () =>
    deps.store.transaction(() => {
      const result = resendTarget(deps, actor, target);
      gatekeeper.audit(call, actor, {
        action: ACTION,
        targetType: target.field === "invitationId" ? "invitation" : "user",
        targetId,
        outcome: result.kind === "ResendInvitationSuccess" ? "SUCCESS" : result.code,
        details:
          result.kind === "ResendInvitationSuccess"
            ? { invitationId: result.details.invitation.id, sendCount: result.details.invitation.sendCount }
            : null,
      });
      return result;
    });
  if (target.idempotencyKey === null) return resend();

  const result = runIdempotently<ResendInvitationResult>(deps, {
    tenantId: actor.tenant.id,
    key: target.idempotencyKey,
    operation: ACTION,
    payload: { [target.field]: targetId },
    act: resend,
    isSuccess: (r) => r.kind === "ResendInvitationSuccess",
    toStored: (r) => ({ ...r, acceptUrl: null }),
    fromStored: (stored) => ({ ...(stored as ResendInvitationSuccess), replayed: true }),
  });
  if (result.kind !== "ResendInvitationSuccess" || result.replayed) {
    deps.store.transaction(() =>
      gatekeeper.audit(call, actor, {
        action: ACTION,
        targetType: null,
        targetId,
        outcome: result.kind === "ResendInvitationSuccess" ? "REPLAYED" : result.code,
      }),
    );
  }
  return result;
}

interface Target {
  readonly field: "invitationId" | "userId";
  readonly ref: EntityRef;
  readonly idempotencyKey: string | null;
}

function resendTarget(deps: InvitationServiceDeps, actor: Actor, target: Target): ResendInvitationResult {
  const { store } = deps;
  const tenantId = actor.tenant.id;
  let invitee;
  let invitation = null;

  if (target.field === "invitationId") {
    invitation = store.invitations.findInTenant(tenantId, target.ref);
    if (!invitation) return errors.invitationNotFound();
    const status = effectiveStatus(invitation, deps.now());
    if (status === "ACCEPTED" || status === "REVOKED") return errors.invitationNotPending(status);
    invitee = store.users.findInTenant(tenantId, { id: invitation.userId });
    if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
  } else {
    invitee = store.users.findInTenant(tenantId, target.ref);
    if (!invitee) return errors.userNotFound();
  }

  const refusal = inviteeRefusal(invitee);
  if (refusal) return refusal;
  if (!hasEmail(invitee)) throw new Error("inviteeRefusal lets no user without email through");
  invitation ??= store.invitations.findLatestPendingForUser(tenantId, invitee.id) ?? null;

  const sent = sendInvitation(deps, actor, invitee, invitation);
  if (sent.kind !== "Sent") return sent;
  return {
    kind: "ResendInvitationSuccess",
    details: sent.details,
    resentBy: actor.user,
    invitedBy: sent.details.inviter ?? actor.user,
    sentTo: sent.sentTo,
    acceptUrl: sent.acceptUrl,
    created: invitation === null,
    replayed: false,
  };
}

/** Exactly one of invitationId / userId, each an integer id or a uuid; an optional idempotency key. */
function parseTarget(input: ResendInvitationInput): Target | { fieldErrors: FieldError[] } {
  const idempotencyKey = input.idempotencyKey ?? null;
  const keyError =
    idempotencyKey === null ? null : idempotencyKeyError(idempotencyKey, ["input", "idempotencyKey"]);
  if (keyError) return { fieldErrors: [keyError] };
  const given = (["invitationId", "userId"] as const).filter((field) => input[field] != null);
  if (given.length !== 1) {
    const message =
      given.length === 0
        ? "Provide one of invitationId or userId."
        : "Provide only one of invitationId or userId.";
    return { fieldErrors: [{ path: ["input"], message }] };
  }
  const field = given[0]!;
  const ref = parseEntityRef(input[field]!);
  if (ref === null) {
    return { fieldErrors: [{ path: ["input", field], message: "Must be a positive integer id or a UUID." }] };
  }
  return { field, ref, idempotencyKey };
}
