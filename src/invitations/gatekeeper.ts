import type { Actor } from "../auth/authenticator.js";
import type { Repositories } from "../db/store.js";
import type { AuthorizationResource, Decision, Operation, Principal } from "./authorization.js";
import { tenantOf } from "./authorization.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { errors, type AccessError, type PermissionDenied } from "./errors.js";

export type Admission =
  { readonly ok: true; readonly actor: Actor } | { readonly ok: false; readonly error: AccessError };

export interface AuditEntry {
  readonly action: string;
  readonly targetType: string | null;
  /** As the caller gave it (truncated): refusals are recorded even for ids that do not exist. */
  readonly targetId: string | null;
  /** `SUCCESS` or the error code that answered. */
  readonly outcome: string;
  readonly details?: Record<string, unknown> | null;
}

/** Who acted: an API key's user, or an invitee accepting with a token. */
export interface AuditActor {
  readonly tenant: { readonly id: number };
  readonly user: { readonly id: number };
}

/** The principal of a decision: the key's user in their tenant. */
export function principalOf(actor: Actor): Principal {
  const { user, tenant } = actor;
  return { uuid: user.uuid, role: user.role, kind: user.kind, tenant: tenantOf(user.tenantId, tenant) };
}

/** A denial as the service answers it: the notices for the caller, the policy ids for the audit trail. */
export function permissionDenied(decision: Decision & { decision: "deny" }): PermissionDenied {
  return errors.permissionDenied(decision.notices, decision.policyIds);
}

/** What an audit record of a refusal adds: the policies that decided a denial. */
export function refusalDetails(refusal: { readonly kind: string }): Record<string, unknown> | null {
  return refusal.kind === "PermissionDenied" ? { policies: (refusal as PermissionDenied).policyIds } : null;
}

/**
 * Authentication, the tenant header, the policy decisions, and the audit trail: what every operation starts
 * with. Permission is checked in two phases (contract §5: authenticate, tenant, permission, input, target):
 * `admit` before the input is read, `authorizeTarget` once the target is loaded and before any write.
 */
export class Gatekeeper {
  constructor(private readonly deps: InvitationServiceDeps) {}

  /**
   * Contract order: authenticate, tenant header, permission. Without `resource`, permission is what the
   * policies decide before knowing the target: a denial that holds for every target answers here, whether
   * or not the target exists. With `resource` (operations whose resource is the caller's own tenant or
   * self), the decision is final. A refused authenticated call is audited.
   */
  async admit(
    call: CallContext,
    operation: Operation,
    action: string,
    targetId: string | null = null,
    resource?: (actor: Actor) => AuthorizationResource,
  ): Promise<Admission> {
    const authentication = await this.deps.authenticator.authenticate(call.credentials);
    if (!authentication.ok) return authentication;
    const { actor } = authentication;
    const principal = principalOf(actor);
    const decision = resource
      ? this.deps.authorizer.decide(principal, operation, resource(actor))
      : this.deps.authorizer.beforeTarget(principal, operation);
    if (decision.decision === "deny") {
      const denial = permissionDenied(decision);
      await this.audit(this.deps.store, call, actor, {
        action,
        targetType: null,
        targetId,
        outcome: denial.code,
        details: refusalDetails(denial),
      });
      return { ok: false, error: denial };
    }
    return authentication;
  }

  /** The decision about a loaded target; null when allowed. The operation audits the refusal it returns. */
  authorizeTarget(
    principal: Principal,
    operation: Operation,
    resource: AuthorizationResource,
  ): PermissionDenied | null {
    const decision = this.deps.authorizer.decide(principal, operation, resource);
    return decision.decision === "deny" ? permissionDenied(decision) : null;
  }

  /**
   * Writes one audit record. Pass the operation's transaction, so the record commits with the change; a
   * refusal that changes nothing records on its own (`deps.store`).
   */
  async audit(on: Repositories, call: CallContext, actor: AuditActor, entry: AuditEntry): Promise<void> {
    await on.audit.record({
      tenantId: actor.tenant.id,
      actorUserId: actor.user.id,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId?.slice(0, 200) ?? null,
      outcome: entry.outcome,
      requestId: call.requestId,
      details: entry.details ?? null,
      at: this.deps.now(),
    });
  }
}
