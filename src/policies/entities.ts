import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type {
  AuthorizationResource,
  Principal,
  TenantFacts,
  UserFacts,
} from "../invitations/authorization.js";
import type { ActionReads } from "./analysis.js";

/** Entity ids are uuids: stable, and known before a row exists (a user inviteUser is about to create). */
export const userUid = (user: Pick<UserFacts, "uuid">): cedar.TypeAndId => ({ type: "User", id: user.uuid });
const tenantUid = (tenant: TenantFacts): cedar.TypeAndId => ({ type: "Tenant", id: tenant.uuid });

export function resourceUid(resource: AuthorizationResource): cedar.TypeAndId {
  switch (resource.type) {
    case "Invitation":
      return { type: "Invitation", id: resource.invitation.uuid };
    case "User":
      return userUid(resource.user);
    case "Tenant":
      return tenantUid(resource.tenant);
    default: {
      const _exhaustive: never = resource;
      throw new Error(`unknown resource ${JSON.stringify(_exhaustive)}`);
    }
  }
}

type Attributes = Record<string, cedar.CedarValueJson>;

function userAttributes(user: UserFacts): Attributes {
  return { role: user.role, kind: user.kind, tenant: { __entity: tenantUid(user.tenant) } };
}

function resourceAttributes(resource: AuthorizationResource): Attributes {
  switch (resource.type) {
    case "Invitation":
      return {
        tenant: { __entity: tenantUid(resource.tenant) },
        status: resource.status,
        sendCount: resource.invitation.sendCount,
        invitee: { __entity: userUid(resource.invitee) },
      };
    case "User":
      return userAttributes(resource.user);
    case "Tenant":
      return {};
    default: {
      const _exhaustive: never = resource;
      throw new Error(`unknown resource ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function only(attributes: Attributes, names: ReadonlySet<string>, everything: boolean): Attributes {
  if (everything) return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => names.has(name)));
}

/** The principal's entity, with the attributes the policies read (none: no entity at all). */
export function principalEntities(principal: Principal, reads: ActionReads): cedar.EntityJson[] {
  const attrs = only(userAttributes(principal), reads.principal, reads.everything);
  return Object.keys(attrs).length === 0 ? [] : [{ uid: userUid(principal), attrs, parents: [] }];
}

/**
 * The entities of one decision: the principal, the resource and the resource's invitee, each only when a
 * policy reads one of its attributes, and with only those attributes. One entity appearing in two roles (the
 * viewer is its own resource; an invitee accepting is the invitation's invitee) is passed once.
 */
export function decisionEntities(
  principal: Principal,
  resource: AuthorizationResource,
  reads: ActionReads,
): cedar.EntityJson[] {
  const byUid = new Map<string, cedar.EntityJson>();
  const add = (uid: cedar.TypeAndId, attrs: Attributes) => {
    if (Object.keys(attrs).length === 0) return;
    const key = `${uid.type}::${uid.id}`;
    const known = byUid.get(key);
    byUid.set(key, { uid, attrs: { ...known?.attrs, ...attrs }, parents: [] });
  };
  for (const entity of principalEntities(principal, reads)) add(entity.uid as cedar.TypeAndId, entity.attrs);
  add(resourceUid(resource), only(resourceAttributes(resource), reads.resource, reads.everything));
  if (resource.type === "Invitation" && (reads.everything || reads.invitee.size > 0)) {
    add(userUid(resource.invitee), only(userAttributes(resource.invitee), reads.invitee, reads.everything));
  }
  return [...byUid.values()];
}
