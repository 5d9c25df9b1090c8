import type { Actor } from "../auth/authenticator.js";
import { authorize, type Operation } from "./access-policy.js";
import type { Repositories } from "../db/store.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import type { AccessError } from "./errors.js";

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

/** Authentication, the tenant header, the role check, and the audit trail: what every operation starts with. */
export class Gatekeeper {
  constructor(private readonly deps: InvitationServiceDeps) {}

  /** Contract order: authenticate, tenant header, permission. A refused authenticated call is audited. */
  async admit(
    call: CallContext,
    operation: Operation,
    action: string,
    targetId: string | null = null,
  ): Promise<Admission> {
    const authentication = await this.deps.authenticator.authenticate(call.credentials);
    if (!authentication.ok) return authentication;
    const denial = authorize(authentication.actor.user, operation);
    if (denial) {
      await this.audit(this.deps.store, call, authentication.actor, {
        action,
        targetType: null,
        targetId,
        outcome: denial.code,
      });
      return { ok: false, error: denial };
    }
    return authentication;
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
