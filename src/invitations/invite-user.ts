import type { Actor } from "../auth/authenticator.js";
import type { Repositories } from "../db/store.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { normalizeEmail } from "./email-address.js";
import { errors, type FieldError } from "./errors.js";
import { tenantOf, userFacts } from "./authorization.js";
import { principalOf, refusalDetails, type Gatekeeper } from "./gatekeeper.js";
import { hasEmail, inviteeRefusal, sendInvitation } from "./invitation-sender.js";
import type { InviteUserInput, InviteUserResult } from "./results.js";
import { changeOrRefuse } from "./transactions.js";

const ACTION = "invitation.create";
const MAX_NAME_LENGTH = 200;

/**
 * Invites a person by address: creates the user in the caller's tenant when absent, then an invitation,
 * and queues the email, all in one transaction. An existing pending invitation is not duplicated.
 */
export async function inviteUser(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  call: CallContext,
  input: InviteUserInput,
): Promise<InviteUserResult> {
  const admission = await gatekeeper.admit(call, "inviteUser", ACTION, input.email.slice(0, 200));
  if (!admission.ok) return admission.error;
  const { actor } = admission;

  const parsed = parseInput(input);
  if ("fieldErrors" in parsed) {
    const refusal = errors.invalidInput(parsed.fieldErrors);
    await gatekeeper.audit(deps.store, call, actor, {
      action: ACTION,
      targetType: null,
      targetId: null,
      outcome: refusal.code,
    });
    return refusal;
  }

  // A refusal (a cap, the cooldown) rolls back the user row this invite may have created.
  return changeOrRefuse(deps, {
    run: (tx) => invite(deps, gatekeeper, tx, actor, parsed),
    isSuccess: (result) => result.kind === "InviteUserSuccess",
    audit: (tx, result) =>
      gatekeeper.audit(tx, call, actor, {
        action: ACTION,
        targetType: "user",
        targetId: result.kind === "InviteUserSuccess" ? String(result.details.invitee.id) : null,
        outcome: result.kind === "InviteUserSuccess" ? "SUCCESS" : result.code,
        details:
          result.kind === "InviteUserSuccess"
            ? { invitationId: result.details.invitation.id }
            : refusalDetails(result),
      }),
  });
}

async function invite(
  deps: InvitationServiceDeps,
  gatekeeper: Gatekeeper,
  tx: Repositories,
  actor: Actor,
  parsed: ParsedInvite,
): Promise<InviteUserResult> {
  const now = deps.now();
  const tenantId = actor.tenant.id;
  // Two invites of one address at once take turns here: the second finds the user the first created.
  await tx.tenants.lockForWrites(tenantId);
  const existing = await tx.users.findByEmail(tenantId, parsed.email);
  // The resource is the invited user: the existing one, or the one about to be created (before it is).
  const uuid = existing?.uuid ?? deps.generateUuid();
  const denial = gatekeeper.authorizeTarget(principalOf(actor), "inviteUser", {
    type: "User",
    user: existing
      ? userFacts(existing, actor.tenant)
      : { uuid, role: parsed.role, kind: "human", tenant: tenantOf(tenantId, actor.tenant) },
  });
  if (denial) return denial;
  const invitee =
    existing ??
    (await tx.users.insert({
      uuid,
      tenantId,
      name: parsed.name,
      email: parsed.email,
      role: parsed.role,
      now,
    }));
  const refusal = inviteeRefusal(invitee);
  if (refusal) return refusal;
  if (!hasEmail(invitee)) throw new Error("inviteeRefusal lets no user without email through");
  const pending = existing ? await tx.invitations.findLatestPendingForUser(tenantId, invitee.id) : undefined;
  if (pending) return errors.invitationAlreadyPending(pending.id);

  const sent = await sendInvitation(deps, tx, actor, invitee, null);
  if (sent.kind !== "Sent") return sent;
  return {
    kind: "InviteUserSuccess",
    details: sent.details,
    sentTo: sent.sentTo,
    acceptUrl: sent.acceptUrl,
    userCreated: existing === undefined,
  };
}

interface ParsedInvite {
  readonly email: string;
  readonly name: string;
  readonly role: "admin" | "member";
}

function parseInput(input: InviteUserInput): ParsedInvite | { fieldErrors: FieldError[] } {
  const fieldErrors: FieldError[] = [];
  const email = normalizeEmail(input.email);
  if (email === null)
    fieldErrors.push({ path: ["input", "email"], message: "Must be a valid email address." });
  const name = (input.name ?? "").trim() || (email ?? "").split("@")[0]!;
  if (input.name != null && (input.name.trim().length === 0 || input.name.trim().length > MAX_NAME_LENGTH)) {
    fieldErrors.push({ path: ["input", "name"], message: `Must be 1 to ${MAX_NAME_LENGTH} characters.` });
  }
  if (fieldErrors.length > 0 || email === null) return { fieldErrors };
  return { email, name, role: input.role ?? "member" };
}
