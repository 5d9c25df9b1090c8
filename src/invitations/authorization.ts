import type { Invitation, InvitationStatus, Tenant, User } from "./model.js";

/**
 * Every operation, named as its GraphQL root field; each is also an action of the policy schema
 * (`Action::"resendInvitation"`). The GraphQL layer refuses to serve a root field missing here, and the
 * policy engine refuses a schema whose actions differ, so an operation added later is denied until it is
 * declared and a policy permits it.
 */
export const OPERATIONS = [
  "resendInvitation",
  "inviteUser",
  "revokeInvitation",
  "acceptInvitation",
  "invitation",
  "invitations",
  "auditEvents",
  "viewer",
  "webhookEndpoints",
  "webhookDeliveries",
  "createWebhookEndpoint",
  "updateWebhookEndpoint",
  "deleteWebhookEndpoint",
  "rotateWebhookSecret",
  "redeliverWebhook",
] as const;

export type Operation = (typeof OPERATIONS)[number];

export function isDeclaredOperation(name: string): name is Operation {
  return (OPERATIONS as readonly string[]).includes(name);
}

/** What a decision may know of a user: also of a user inviteUser is about to create. */
export type UserFacts = Pick<User, "uuid" | "role" | "kind"> & { readonly tenant: TenantFacts };
export type TenantFacts = Pick<Tenant, "uuid">;

/** Who asks: the API key's user, or, for acceptInvitation, the invitee whose token was presented. */
export type Principal = UserFacts;

/** What the operation acts on, as loaded in the caller's tenant. */
export type AuthorizationResource =
  | {
      readonly type: "Invitation";
      readonly invitation: Pick<Invitation, "uuid" | "sendCount">;
      readonly tenant: TenantFacts;
      /** The effective status (EXPIRED: pending past its expiry). */
      readonly status: InvitationStatus;
      readonly invitee: UserFacts;
    }
  | { readonly type: "User"; readonly user: UserFacts }
  | { readonly type: "Tenant"; readonly tenant: TenantFacts };

/** A decision and the policies that made it: the satisfied permits, or the forbids that denied it. */
export type Decision =
  | { readonly decision: "allow"; readonly policyIds: readonly string[] }
  | {
      readonly decision: "deny";
      /** The forbid policies that determined the denial, in file order; empty for a default deny. */
      readonly policyIds: readonly string[];
      /** Their `@notice` texts, or one generic notice. */
      readonly notices: readonly string[];
    };

/** A decision taken before the target is known: one that holds for every target, or none yet. */
export type EarlyDecision = Decision | { readonly decision: "undecided" };

/**
 * The policy engine, as the service sees it. Checks run in two phases (contract §5's order): `beforeTarget`
 * right after authentication and the tenant check, before the input is read, refuses what no target could
 * make allowed; `decide` once the target is loaded in the caller's tenant, before any write.
 */
export interface Authorizer {
  beforeTarget(principal: Principal, operation: Operation): EarlyDecision;
  decide(principal: Principal, operation: Operation, resource: AuthorizationResource): Decision;
}

/**
 * The tenant a row belongs to, as policies see it. Rows are only ever loaded within the caller's tenant, so
 * this is `known`; were a query ever to return another tenant's row, it becomes a tenant nobody belongs to,
 * and the policies' tenant condition (the second line of defence) fails.
 */
export function tenantOf(tenantId: number, known: Tenant): TenantFacts {
  return tenantId === known.id ? { uuid: known.uuid } : { uuid: `not-the-callers-tenant-${tenantId}` };
}

/** The facts of a stored user, loaded in the tenant `known`. */
export function userFacts(user: User, known: Tenant): UserFacts {
  return { uuid: user.uuid, role: user.role, kind: user.kind, tenant: tenantOf(user.tenantId, known) };
}

/** The facts of a stored invitation and its invitee, loaded in the tenant `known`. */
export function invitationResource(
  invitation: Invitation,
  invitee: User,
  status: InvitationStatus,
  known: Tenant,
): AuthorizationResource {
  return {
    type: "Invitation",
    invitation,
    tenant: tenantOf(invitation.tenantId, known),
    status,
    invitee: userFacts(invitee, known),
  };
}
