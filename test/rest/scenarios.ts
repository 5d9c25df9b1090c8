import type { ResendInvitationInput, ResendInvitationResult } from "../../src/invitations/results.js";
import { ACME, GLOBEX, KEYS } from "../support/harness.js";

/** The five ways in: the GraphQL mutation and the four REST documents. */
export type ChannelName = "graphql" | "r000" | "r001" | "r002" | "r003";
export type Outcome = ResendInvitationResult["kind"];

/** A user of the test fixture, and the invitation a resend of them resends (002 reaches users through it). */
export interface UserRef {
  readonly id: number;
  readonly uuid: string;
  readonly name: string;
  readonly email: string | null;
  readonly invitationId?: number;
}

const acmeUser = (id: number, name: string, email: string | null, invitationId?: number): UserRef => ({
  id,
  uuid: `0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c000${id}`,
  name,
  email,
  invitationId,
});

export const ADA = acmeUser(1, "Ada Admin", "ada@acme.test");
export const BOB = acmeUser(2, "Bob Pending", "bob@acme.test", 9001);
const NO_MAIL = acmeUser(3, "No Mail", null);
const MCP_BOT = acmeUser(4, "MCP Bot", "mcp@acme.test");
const VERA = acmeUser(5, "Vera Verified", "vera@acme.test");
const EVE = acmeUser(7, "Eve Expired", "eve@acme.test", 9004);
const NINA = acmeUser(8, "Nina New", "nina@acme.test");
const NOBODY: UserRef = {
  id: 999,
  uuid: "00000000-0000-4000-8000-000000000999",
  name: "",
  email: null,
  invitationId: 424242,
};
const GUS: UserRef = {
  id: 21,
  uuid: "7c1d2a4e-1111-4a2b-8c3d-000000000021",
  name: "Gus Pending",
  email: "gus@globex.test",
  invitationId: 9100,
};

export type Target =
  | { readonly user: UserRef }
  | { readonly invitationId: number }
  /** Ids as each channel would receive them; a channel without one does not run the scenario. */
  | {
      readonly raw: Partial<Record<Exclude<ChannelName, "graphql">, string | null>> & {
        graphql?: ResendInvitationInput;
      };
    };

export interface Scenario {
  readonly name: string;
  readonly target: Target;
  /** Default: Acme's admin key. null: no credential header. */
  readonly key?: string | null;
  /** The header that carries the key. Default X-Api-Key. */
  readonly via?: "bearer" | "x-api-key";
  /** X-Tenant-ID. Default: absent, but Acme's uuid on 001, which requires it. null: absent everywhere. */
  readonly tenantHeader?: string | null;
  /** 002's `{tenantId}`, checked as well as X-Tenant-ID. Default: Acme's id. */
  readonly pathTenant?: string;
  /** Ids in upper case, as seed 001 writes them; GraphQL then passes the user's uuid. */
  readonly upperCase?: boolean;
  /** Sends the same request once before the one under test. */
  readonly resendFirst?: boolean;
  /** Idempotency-Key header on REST, `idempotencyKey` in the mutation's input on GraphQL. */
  readonly idempotencyKey?: string;
  /** With `idempotencyKey`: a target the key is first used for, successfully, before the one under test. */
  readonly keyFirstUsedFor?: Target;
  readonly expect: Outcome;
  /** Channels whose document answers this case differently. */
  readonly except?: Partial<Record<ChannelName, Outcome>>;
  /** The body must equal the one this earlier scenario got on the same channel (no existence leak). */
  readonly sameBodyAs?: string;
}

/**
 * Every resend outcome, each id form, both credential headers and the X-Tenant-ID cases. Every channel runs
 * the scenarios in this order on its own server; each scenario starts clear of the previous one's cooldown.
 * State changes are ordered so that no scenario sees another's: Eve's invitation is resent while still
 * expired before anything else touches it; Bob takes the repeated successes.
 */
export const SCENARIOS: readonly Scenario[] = [
  { name: "expired invitation is resent", target: { user: EVE }, expect: "ResendInvitationSuccess" },
  { name: "pending invitation, key in X-Api-Key", target: { user: BOB }, expect: "ResendInvitationSuccess" },
  {
    name: "pending invitation, key in Authorization: Bearer",
    target: { user: BOB },
    via: "bearer",
    expect: "ResendInvitationSuccess",
  },
  {
    name: "ids and X-Tenant-ID in upper case",
    target: { user: BOB },
    upperCase: true,
    tenantHeader: ACME.uuid.toUpperCase(),
    expect: "ResendInvitationSuccess",
  },
  {
    name: "X-Tenant-ID as the tenant's integer id",
    target: { user: BOB },
    tenantHeader: String(ACME.id),
    expect: "ResendInvitationSuccess",
    except: { r001: "InvalidInput" },
  },
  {
    name: "no X-Tenant-ID",
    target: { user: NINA },
    tenantHeader: null,
    expect: "ResendInvitationSuccess",
    except: { r001: "InvalidInput" },
  },
  {
    name: "second resend within the cooldown",
    target: { user: EVE },
    resendFirst: true,
    expect: "ResendRateLimited",
  },
  {
    name: "Idempotency-Key reused for another user",
    target: { user: EVE },
    idempotencyKey: "reused-key-1",
    keyFirstUsedFor: { user: BOB },
    expect: "IdempotencyKeyReused",
  },
  { name: "no credential", target: { user: BOB }, key: null, expect: "Unauthenticated" },
  { name: "unknown key", target: { user: BOB }, key: "not-a-key-of-ours-000000", expect: "Unauthenticated" },
  {
    name: "X-Tenant-ID of another tenant",
    target: { user: BOB },
    tenantHeader: GLOBEX.uuid,
    pathTenant: String(GLOBEX.id),
    expect: "TenantMismatch",
  },
  {
    name: "X-Tenant-ID of another tenant, own tenant in 002's path",
    target: { user: BOB },
    tenantHeader: GLOBEX.uuid,
    expect: "TenantMismatch",
  },
  {
    name: "X-Tenant-ID that is no tenant id at all",
    target: { user: BOB },
    tenantHeader: "acme",
    pathTenant: "acme",
    expect: "TenantMismatch",
    except: { r001: "InvalidInput" },
  },
  { name: "member key", target: { user: BOB }, key: KEYS.acmeMember, expect: "PermissionDenied" },
  {
    name: "member key, unknown target",
    target: { user: NOBODY },
    key: KEYS.acmeMember,
    expect: "PermissionDenied",
  },
  {
    name: "unknown id",
    target: { user: NOBODY },
    expect: "UserNotFound",
    except: { r002: "InvitationNotFound" },
  },
  {
    name: "unknown invitation id",
    target: { invitationId: 424242 },
    expect: "InvitationNotFound",
  },
  {
    name: "another tenant's id",
    target: { user: GUS },
    expect: "UserNotFound",
    except: { r002: "InvitationNotFound" },
    sameBodyAs: "unknown id",
  },
  {
    name: "malformed id",
    target: { raw: { r000: "abc", r001: "abc", r002: "abc", r003: "abc", graphql: { userId: "abc" } } },
    expect: "InvalidInput",
  },
  {
    name: "id in the other form",
    target: { raw: { r000: BOB.uuid, r001: String(BOB.id), r002: "0x2329", r003: String(BOB.id) } },
    expect: "InvalidInput",
  },
  {
    name: "id not positive",
    target: { raw: { r000: "0", r002: "-9001", graphql: { invitationId: "-5" } } },
    expect: "InvalidInput",
  },
  { name: "no invitation id", target: { raw: { r002: null } }, expect: "InvalidInput" },
  {
    name: "malformed id without a credential: authentication answers first",
    target: { raw: { r000: "abc", r001: "abc", r002: "abc", r003: "abc", graphql: { userId: "abc" } } },
    key: null,
    expect: "Unauthenticated",
  },
  {
    name: "malformed id with a foreign tenant: the tenant check answers first",
    target: { raw: { r000: "abc", r001: "abc", r002: "abc", r003: "abc", graphql: { userId: "abc" } } },
    tenantHeader: GLOBEX.uuid,
    pathTenant: String(GLOBEX.id),
    expect: "TenantMismatch",
  },
  {
    name: "malformed id with a member key: permission answers first",
    target: { raw: { r000: "abc", r001: "abc", r002: "abc", r003: "abc", graphql: { userId: "abc" } } },
    key: KEYS.acmeMember,
    expect: "PermissionDenied",
  },
  { name: "user without email", target: { user: NO_MAIL }, expect: "UserHasNoEmail" },
  { name: "MCP service account", target: { user: MCP_BOT }, expect: "ServiceAccountNotInvitable" },
  { name: "user already verified", target: { user: VERA }, expect: "UserAlreadyVerified" },
  { name: "accepted invitation", target: { invitationId: 9002 }, expect: "InvitationNotPending" },
  { name: "revoked invitation", target: { invitationId: 9003 }, expect: "InvitationNotPending" },
];
