import type { LatestDelivery } from "../db/repositories/outbox.repository.js";
import type { AuditEventRow } from "../db/schema/index.js";
import type { CallContext, InvitationServiceDeps } from "./deps.js";
import { normalizeEmail } from "./email-address.js";
import { parseEntityRef } from "./entity-ref.js";
import { errors, type AccessError, type InvalidInput } from "./errors.js";
import type { Actor } from "../auth/authenticator.js";
import { userFacts, type AuthorizationResource } from "./authorization.js";
import type { Gatekeeper } from "./gatekeeper.js";
import type { Invitation, InvitationDetails, InvitationStatus, Tenant, User } from "./model.js";
import { pageOf, parsePageRequest, type Page, type PageRequest } from "./pagination.js";
import type { InvitationLookup } from "./results.js";

export type ViewerResult =
  { readonly kind: "Viewer"; readonly user: User; readonly tenant: Tenant } | AccessError;
export type InvitationPageResult =
  { readonly kind: "InvitationPage"; readonly page: Page<InvitationDetails> } | AccessError | InvalidInput;
export type AuditEvent = AuditEventRow & { readonly actor: User | null };
export type AuditPageResult =
  { readonly kind: "AuditPage"; readonly page: Page<AuditEvent> } | AccessError | InvalidInput;

export type LastDeliveryResult =
  { readonly kind: "LastDelivery"; readonly delivery: LatestDelivery | null } | AccessError;

export interface InvitationListRequest extends PageRequest {
  readonly status?: InvitationStatus | null;
  readonly email?: string | null;
}

export interface AuditListRequest extends PageRequest {
  readonly action?: string | null;
}

/** Reads act on the caller's tenant; `viewer` on the caller. */
const ownTenant = (actor: Actor): AuthorizationResource => ({ type: "Tenant", tenant: actor.tenant });
const self = (actor: Actor): AuthorizationResource => ({
  type: "User",
  user: userFacts(actor.user, actor.tenant),
});

/** Read-only operations. Reads are not audited: the audit trail records changes and refusals of changes. */
export class InvitationQueries {
  constructor(
    private readonly deps: InvitationServiceDeps,
    private readonly gatekeeper: Gatekeeper,
  ) {}

  async viewer(call: CallContext): Promise<ViewerResult> {
    const admission = await this.gatekeeper.admit(call, "viewer", "viewer", null, self);
    if (!admission.ok) return admission.error;
    return { kind: "Viewer", user: admission.actor.user, tenant: admission.actor.tenant };
  }

  async findInvitation(call: CallContext, rawId: string): Promise<InvitationLookup> {
    const admission = await this.gatekeeper.admit(call, "invitation", "invitation.read", rawId, ownTenant);
    if (!admission.ok) return admission.error;
    const { tenant } = admission.actor;
    const ref = parseEntityRef(rawId);
    const invitation = ref && (await this.deps.store.invitations.findInTenant(tenant.id, ref));
    if (!invitation) return { kind: "NotFound" };
    const [details] = await this.withPeople(tenant, [invitation]);
    return { kind: "Found", details: details! };
  }

  /** The newest email queued for the invitation and what became of it; null when none was. */
  async lastDelivery(call: CallContext, invitationId: number): Promise<LastDeliveryResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "invitation",
      "invitation.read",
      String(invitationId),
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const { store } = this.deps;
    const invitation = await store.invitations.findInTenant(admission.actor.tenant.id, { id: invitationId });
    const delivery = invitation ? await store.outbox.latestDeliveryForInvitation(invitation.id) : undefined;
    return { kind: "LastDelivery", delivery: delivery ?? null };
  }

  async listInvitations(call: CallContext, request: InvitationListRequest): Promise<InvitationPageResult> {
    const admission = await this.gatekeeper.admit(call, "invitations", "invitation.list", null, ownTenant);
    if (!admission.ok) return admission.error;
    const { tenant } = admission.actor;
    const paging = parsePageRequest(request);
    const email = request.email == null ? null : normalizeEmail(request.email);
    const fieldErrors = paging.ok ? [] : [...paging.fieldErrors];
    if (request.email != null && email === null)
      fieldErrors.push({ path: ["email"], message: "Must be a valid email address." });
    if (!paging.ok || fieldErrors.length > 0) return errors.invalidInput(fieldErrors);

    const { invitationLists } = this.deps.store;
    const filter = { tenantId: tenant.id, status: request.status ?? null, email, now: this.deps.now() };
    const page = await pageOf(
      (beforeId, limit) => invitationLists.page(filter, beforeId, limit),
      () => invitationLists.count(filter),
      paging.limit,
      paging.beforeId,
    );
    return { kind: "InvitationPage", page: { ...page, items: await this.withPeople(tenant, page.items) } };
  }

  async listAuditEvents(call: CallContext, request: AuditListRequest): Promise<AuditPageResult> {
    const admission = await this.gatekeeper.admit(call, "auditEvents", "audit.list", null, ownTenant);
    if (!admission.ok) return admission.error;
    const { tenant } = admission.actor;
    const paging = parsePageRequest(request);
    if (!paging.ok) return errors.invalidInput(paging.fieldErrors);

    const { auditLists, users } = this.deps.store;
    const filter = { tenantId: tenant.id, action: request.action ?? null };
    const page = await pageOf(
      (beforeId, limit) => auditLists.page(filter, beforeId, limit),
      () => auditLists.count(filter),
      paging.limit,
      paging.beforeId,
    );
    const actorIds = page.items.flatMap((event) => (event.actorUserId === null ? [] : [event.actorUserId]));
    const actors = new Map(
      (await users.findManyInTenant(tenant.id, actorIds)).map((user) => [user.id, user]),
    );
    const items = page.items.map((event) => ({
      ...event,
      actor: actors.get(event.actorUserId ?? 0) ?? null,
    }));
    return { kind: "AuditPage", page: { ...page, items } };
  }

  /** Joins invitees and inviters in one query for the whole page. */
  private async withPeople(tenant: Tenant, invitations: readonly Invitation[]): Promise<InvitationDetails[]> {
    const ids = invitations.flatMap((i) => (i.inviterId === null ? [i.userId] : [i.userId, i.inviterId]));
    const people = new Map(
      (await this.deps.store.users.findManyInTenant(tenant.id, ids)).map((user) => [user.id, user]),
    );
    return invitations.map((invitation) => {
      const invitee = people.get(invitation.userId);
      if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
      const inviter = invitation.inviterId === null ? null : (people.get(invitation.inviterId) ?? null);
      return { invitation, invitee, inviter, tenant };
    });
  }
}
