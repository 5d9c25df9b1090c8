import type { Actor } from "../auth/authenticator.js";
import type { Repositories } from "../db/store.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { parseEntityRef } from "./entity-ref.js";
import { errors, type FieldError } from "./errors.js";
import { invitationResource, userFacts, type AuthorizationResource } from "./authorization.js";
import { principalOf, refusalDetails, type Gatekeeper } from "./gatekeeper.js";
import { hasEmail, inviteeRefusal, sendInvitation } from "./invitation-sender.js";
import { effectiveStatus, type EntityRef } from "./model.js";
import { idempotencyKeyError, runIdempotently } from "./idempotency.js";
import { changeOrRefuse, type Operation } from "./transactions.js";
import type { ResendInvitationInput, ResendInvitationResult, ResendInvitationSuccess } from "./results.js";

const ACTION = "invitation.resend";

/**
 * Contract §5. Checks run in this order and the first failing one answers: authenticate, tenant header,
 * permission, input shape, target exists in the caller's tenant, target state, cooldown. Permission is
 * decided twice: before the input is read (refusing what no target could make allowed), and on the loaded
 * target (policies about its attributes) before its state is looked at and before any write.
 */
export async function resendInvitation(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: ResendInvitationInput,
): Promise<ResendInvitationResult> {
  const targetId = input.invitationId ?? input.userId ?? null;
  const admission = await gatekeeper.admit(call, "resendInvitation", ACTION, targetId);
  if (!admission.ok) return admission.error;
  const { actor } = admission;

  const target = parseTarget(input);
  if ("fieldErrors" in target) {
    const refusal = errors.invalidInput(target.fieldErrors);
    await gatekeeper.audit(deps.store, call, actor, {
      action: ACTION,
      targetType: null,
      targetId,
      outcome: refusal.code,
    });
    return refusal;
  }

  const operation: Operation<ResendInvitationResult> = {
    run: (tx) => resendTarget(deps, gatekeeper, tx, actor, target),
    isSuccess: (result) => result.kind === "ResendInvitationSuccess",
    audit: (tx, result) =>
      gatekeeper.audit(tx, call, actor, {
        action: ACTION,
        targetType: target.field === "invitationId" ? "invitation" : "user",
        targetId,
        outcome: result.kind === "ResendInvitationSuccess" ? "SUCCESS" : result.code,
        details:
          result.kind === "ResendInvitationSuccess"
            ? { invitationId: result.details.invitation.id, sendCount: result.details.invitation.sendCount }
            : refusalDetails(result),
      }),
  };
  if (target.idempotencyKey === null) return changeOrRefuse(deps, operation);

  const result = await runIdempotently<ResendInvitationResult>(
    deps,
    {
      tenantId: actor.tenant.id,
      key: target.idempotencyKey,
      operation: ACTION,
      payload: { [target.field]: targetId },
      toStored: (r) => ({ ...r, acceptUrl: null }),
      fromStored: (stored) => ({ ...(stored as ResendInvitationSuccess), replayed: true }),
    },
    operation,
  );
  // The operation audited itself; a replay or a refused key did not run it.
  const didNotRun =
    result.kind === "ResendInvitationSuccess"
      ? result.replayed
      : result.kind === "IdempotencyKeyReused" || result.kind === "IdempotencyKeyInUse";
  if (didNotRun) {
    await gatekeeper.audit(deps.store, call, actor, {
      action: ACTION,
      targetType: null,
      targetId,
      outcome: result.kind === "ResendInvitationSuccess" ? "REPLAYED" : result.code,
    });
  }
  return result;
}

interface Target {
  readonly field: "invitationId" | "userId";
  readonly ref: EntityRef;
  readonly idempotencyKey: string | null;
}

async function resendTarget(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  tx: Repositories,
  actor: Actor,
  target: Target,
): Promise<ResendInvitationResult> {
  const tenantId = actor.tenant.id;
  let invitee;
  let invitation = null;

  await tx.tenants.lockForWrites(tenantId);
  if (target.field === "invitationId") {
    const found = await tx.invitations.findWithInviteeForUpdate(tenantId, target.ref);
    if (!found) return errors.invitationNotFound();
    ({ invitation, invitee } = found);
    if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
  } else {
    invitee = await tx.users.findInTenant(tenantId, target.ref);
    if (!invitee) return errors.userNotFound();
    // By user id the resend acts on the user's latest pending invitation, which policies then see.
    invitation = (await tx.invitations.findLatestPendingForUser(tenantId, invitee.id)) ?? null;
  }

  const status = invitation && effectiveStatus(invitation, deps.now());
  const resource: AuthorizationResource =
    invitation && status
      ? invitationResource(invitation, invitee, status, actor.tenant)
      : { type: "User", user: userFacts(invitee, actor.tenant) };
  const denial = gatekeeper.authorizeTarget(principalOf(actor), "resendInvitation", resource);
  if (denial) return denial;
  if (status === "ACCEPTED" || status === "REVOKED") return errors.invitationNotPending(status);

  const refusal = inviteeRefusal(invitee);
  if (refusal) return refusal;
  if (!hasEmail(invitee)) throw new Error("inviteeRefusal lets no user without email through");

  const sent = await sendInvitation(deps, tx, actor, invitee, invitation);
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
