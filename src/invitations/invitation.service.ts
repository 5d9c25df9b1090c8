import type { Actor, Authenticator } from "../auth/authenticator.js";
import type { Credentials } from "../auth/credentials.js";
import { hashSecret } from "../auth/secrets.js";
import type { Store } from "../db/store.js";
import type { InvitationEmailRenderer } from "../mail/invitation-email.js";
import { authorize, type Operation } from "./access-policy.js";
import { parseEntityRef } from "./entity-ref.js";
import { errors, type AccessError, type FieldError } from "./errors.js";
import { effectiveStatus, type EntityRef, type Invitation, type InvitationDetails, type Tenant, type User } from "./model.js";
import type {
  InvitationLookup,
  ResendInvitationInput,
  ResendInvitationResult,
  ResendInvitationSuccess,
} from "./results.js";

export interface InvitationSettings {
  /** How long a sent link stays valid. */
  readonly invitationTtlMs: number;
  /** Minimum time between two sends of one invitation; 0 disables the cooldown. */
  readonly resendCooldownMs: number;
  /** Base of the accept link, without a trailing slash. */
  readonly publicUrl: string;
}

export interface InvitationServiceDeps {
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly renderEmail: InvitationEmailRenderer;
  readonly settings: InvitationSettings;
  /** Milliseconds since the epoch; injected so tests control time. */
  readonly now: () => number;
  /** A fresh secret invitation token; injected so tests can see what was sent. */
  readonly generateToken: () => string;
  readonly generateUuid: () => string;
}

/** Where a call comes from: what it presented, and the request id for the audit trail. */
export interface CallContext {
  readonly credentials: Credentials;
  readonly requestId: string | null;
}

const RESEND = "invitation.resend";

/**
 * The tenant-scoped invitation rules. Every adapter (GraphQL, each REST path) calls these methods and
 * only translates the result union; no rule lives anywhere else.
 */
export class InvitationService {
  constructor(private readonly deps: InvitationServiceDeps) {}

  /** Contract §5. Checks run in order and the first failing one answers. */
  async resendInvitation(call: CallContext, input: ResendInvitationInput): Promise<ResendInvitationResult> {
    const access = this.access(call, "resendInvitation");
    if (!access.ok) return access.error;
    const { actor } = access;
    const target = (input.invitationId ?? input.userId ?? null)?.slice(0, 200) ?? null;
    const audit = (outcome: string, targetType: string | null, details: Record<string, unknown> | null) =>
      this.audit(call, actor, RESEND, targetType, target, outcome, details);

    const parsed = parseResendInput(input);
    if ("fieldErrors" in parsed) {
      const refusal = errors.invalidInput(parsed.fieldErrors);
      this.deps.store.transaction(() => audit(refusal.code, null, null));
      return refusal;
    }

    const { store } = this.deps;
    return store.transaction(() => {
      const result = this.resendWithinTransaction(actor, parsed);
      if (result.kind === "ResendInvitationSuccess") {
        audit("SUCCESS", "invitation", {
          invitationId: result.details.invitation.id,
          sendCount: result.details.invitation.sendCount,
          created: result.created,
        });
      } else {
        audit(result.code, parsed.field === "invitationId" ? "invitation" : "user", null);
      }
      return result;
    });
  }

  /** `invitation(id)`: the invitation when it exists in the caller's tenant. */
  async findInvitation(call: CallContext, rawId: string): Promise<InvitationLookup> {
    const access = this.access(call, "invitation");
    if (!access.ok) return access.error;
    const { tenant } = access.actor;
    const ref = parseEntityRef(rawId);
    const invitation = ref && this.deps.store.invitations.findInTenant(tenant.id, ref);
    if (!invitation) return { kind: "NotFound" };
    return { kind: "Found", details: this.details(tenant, invitation) };
  }

  /** `viewer`: the user behind the credential. */
  async viewer(call: CallContext): Promise<{ kind: "Viewer"; user: User; tenant: Tenant } | AccessError> {
    const access = this.access(call, "viewer");
    if (!access.ok) return access.error;
    return { kind: "Viewer", user: access.actor.user, tenant: access.actor.tenant };
  }

  private access(
    call: CallContext,
    operation: Operation,
  ): { ok: true; actor: Actor } | { ok: false; error: AccessError } {
    const authentication = this.deps.authenticator.authenticate(call.credentials);
    if (!authentication.ok) return authentication;
    const denial = authorize(authentication.actor.user, operation);
    if (denial) {
      this.deps.store.transaction(() =>
        this.audit(call, authentication.actor, operationAction(operation), null, null, denial.code, null),
      );
      return { ok: false, error: denial };
    }
    return authentication;
  }

  private resendWithinTransaction(actor: Actor, target: ResendTarget): ResendInvitationResult {
    const { store } = this.deps;
    const tenantId = actor.tenant.id;

    if (target.field === "invitationId") {
      const invitation = store.invitations.findInTenant(tenantId, target.ref);
      if (!invitation) return errors.invitationNotFound();
      const status = effectiveStatus(invitation, this.deps.now());
      if (status === "ACCEPTED" || status === "REVOKED") return errors.invitationNotPending(status);
      const invitee = store.users.findInTenant(tenantId, { id: invitation.userId });
      if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
      return this.checkInvitee(invitee) ?? this.send(actor, invitee, invitation);
    }

    const invitee = store.users.findInTenant(tenantId, target.ref);
    if (!invitee) return errors.userNotFound();
    const refusal = this.checkInvitee(invitee);
    if (refusal) return refusal;
    const invitation = store.invitations.findLatestPendingForUser(tenantId, invitee.id);
    return this.send(actor, invitee, invitation ?? null);
  }

  /** Whether this person can be (re)invited at all. */
  private checkInvitee(invitee: User) {
    if (invitee.kind === "service_account") return errors.serviceAccountNotInvitable();
    if (invitee.email === null) return errors.userHasNoEmail();
    if (invitee.emailVerifiedAt !== null) return errors.userAlreadyVerified();
    return null;
  }

  /** Rotates (or creates) the invitation and queues its email. Runs inside the caller's transaction. */
  private send(actor: Actor, invitee: User, existing: Invitation | null): ResendInvitationResult {
    const { store, settings } = this.deps;
    const now = this.deps.now();
    const email = invitee.email;
    if (email === null) throw new Error("checkInvitee lets no user without email through");

    if (existing && existing.lastSentAt !== null && settings.resendCooldownMs > 0) {
      const waitMs = existing.lastSentAt + settings.resendCooldownMs - now;
      if (waitMs > 0) return errors.resendRateLimited(Math.ceil(waitMs / 1000));
    }

    const token = this.deps.generateToken();
    const tokenHash = hashSecret(token);
    const expiresAt = now + settings.invitationTtlMs;
    let invitation: Invitation;
    if (existing) {
      store.outbox.cancelQueuedForInvitation(existing.id);
      invitation = store.invitations.rotateToken({ id: existing.id, tokenHash, expiresAt, now });
    } else {
      invitation = store.invitations.insert({
        uuid: this.deps.generateUuid(),
        tenantId: actor.tenant.id,
        userId: invitee.id,
        inviterId: actor.user.id,
        tokenHash,
        expiresAt,
        now,
      });
    }

    const inviter =
      invitation.inviterId === null ? null : store.users.findInTenant(actor.tenant.id, { id: invitation.inviterId });
    const acceptUrl = `${settings.publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
    const rendered = this.deps.renderEmail({
      tenantName: actor.tenant.name,
      inviterName: (inviter ?? actor.user).name,
      inviteeName: invitee.name,
      acceptUrl,
      expiresAt,
    });
    store.outbox.enqueue({
      tenantId: actor.tenant.id,
      invitationId: invitation.id,
      tokenHash,
      toAddress: email,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
      now,
    });

    const success: ResendInvitationSuccess = {
      kind: "ResendInvitationSuccess",
      details: { invitation, invitee, inviter: inviter ?? null, tenant: actor.tenant },
      resentBy: actor.user,
      sentTo: email,
      acceptUrl,
      created: existing === null,
    };
    return success;
  }

  private details(tenant: Tenant, invitation: Invitation): InvitationDetails {
    const { users } = this.deps.store;
    const invitee = users.findInTenant(tenant.id, { id: invitation.userId });
    if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
    const inviter = invitation.inviterId === null ? null : users.findInTenant(tenant.id, { id: invitation.inviterId });
    return { invitation, invitee, inviter: inviter ?? null, tenant };
  }

  private audit(
    call: CallContext,
    actor: Actor,
    action: string,
    targetType: string | null,
    targetId: string | null,
    outcome: string,
    details: Record<string, unknown> | null,
  ): void {
    this.deps.store.audit.record({
      tenantId: actor.tenant.id,
      actorUserId: actor.user.id,
      action,
      targetType,
      targetId,
      outcome,
      requestId: call.requestId,
      details,
      at: this.deps.now(),
    });
  }
}

interface ResendTarget {
  readonly field: "invitationId" | "userId";
  readonly ref: EntityRef;
}

/** Exactly one of invitationId / userId, each an integer id or a uuid. */
function parseResendInput(input: ResendInvitationInput): ResendTarget | { fieldErrors: FieldError[] } {
  const given = (["invitationId", "userId"] as const).filter((field) => input[field] != null);
  if (given.length !== 1) {
    return {
      fieldErrors: [
        {
          path: ["input"],
          message:
            given.length === 0
              ? "Provide one of invitationId or userId."
              : "Provide only one of invitationId or userId, not both.",
        },
      ],
    };
  }
  const field = given[0]!;
  const raw = input[field]!;
  const ref = parseEntityRef(raw);
  if (ref === null) {
    return { fieldErrors: [{ path: ["input", field], message: "Must be a positive integer id or a UUID." }] };
  }
  return { field, ref };
}

function operationAction(operation: Operation): string {
  return operation === "resendInvitation" ? RESEND : operation;
}
