import type { ResendInvitationInput, ResendInvitationResult } from "../../src/invitations/results.js";
import { ACME, GLOBEX, KEYS } from "./harness.js";

export interface ResendCase {
  name: string;
  input: ResendInvitationInput;
  key?: string | null;
  tenant?: string | null;
  /** The service result must match this; `kind` is also the GraphQL __typename. */
  expect: Partial<Record<string, unknown>> & { kind: ResendInvitationResult["kind"] };
}

/**
 * Every member of the resend result union, each reached from the test fixture's state. Run against the
 * service, the resolvers and the real HTTP server, so all three are held to the same table.
 */
export const RESEND_CASES: ResendCase[] = [
  { name: "no key", key: null, input: { invitationId: "9001" }, expect: { kind: "Unauthenticated" } },
  {
    name: "unknown key",
    key: "not-a-key-of-ours-000000",
    input: { invitationId: "9001" },
    expect: { kind: "Unauthenticated" },
  },
  { name: "empty key", key: "", input: { invitationId: "9001" }, expect: { kind: "Unauthenticated" } },
  {
    name: "oversized key",
    key: "k".repeat(10_000),
    input: { invitationId: "9001" },
    expect: { kind: "Unauthenticated" },
  },
  {
    name: "tenant header of another tenant",
    tenant: GLOBEX.uuid,
    input: { invitationId: "9001" },
    expect: { kind: "TenantMismatch", code: "TENANT_MISMATCH" },
  },
  {
    name: "tenant header garbage",
    tenant: "acme",
    input: { invitationId: "9001" },
    expect: { kind: "TenantMismatch" },
  },
  {
    name: "member, existing target",
    key: KEYS.acmeMember,
    input: { invitationId: "9001" },
    expect: { kind: "PermissionDenied", code: "PERMISSION_DENIED" },
  },
  {
    name: "member, missing target",
    key: KEYS.acmeMember,
    input: { invitationId: "424242" },
    expect: { kind: "PermissionDenied" },
  },
  { name: "neither id", input: {}, expect: { kind: "InvalidInput", code: "INVALID_INPUT" } },
  { name: "both ids", input: { invitationId: "9001", userId: "2" }, expect: { kind: "InvalidInput" } },
  { name: "malformed invitation id", input: { invitationId: "abc" }, expect: { kind: "InvalidInput" } },
  { name: "zero id", input: { userId: "0" }, expect: { kind: "InvalidInput" } },
  { name: "negative id", input: { invitationId: "-5" }, expect: { kind: "InvalidInput" } },
  { name: "unknown invitation", input: { invitationId: "424242" }, expect: { kind: "InvitationNotFound" } },
  {
    name: "other tenant's invitation",
    input: { invitationId: "9100" },
    expect: { kind: "InvitationNotFound" },
  },
  {
    name: "unknown invitation uuid",
    input: { invitationId: "00000000-0000-4000-8000-000000000000" },
    expect: { kind: "InvitationNotFound" },
  },
  {
    name: "unknown user",
    input: { userId: "999" },
    expect: { kind: "UserNotFound", code: "USER_NOT_FOUND" },
  },
  { name: "other tenant's user", input: { userId: "21" }, expect: { kind: "UserNotFound" } },
  {
    name: "other tenant's user by uuid",
    input: { userId: "7c1d2a4e-1111-4a2b-8c3d-000000000021" },
    expect: { kind: "UserNotFound" },
  },
  {
    name: "user without email",
    input: { userId: "3" },
    expect: { kind: "UserHasNoEmail", code: "USER_HAS_NO_EMAIL" },
  },
  {
    name: "service account",
    input: { userId: "4" },
    expect: { kind: "ServiceAccountNotInvitable", code: "SERVICE_ACCOUNT_NOT_INVITABLE" },
  },
  {
    name: "verified user",
    input: { userId: "5" },
    expect: { kind: "UserAlreadyVerified", code: "USER_ALREADY_VERIFIED" },
  },
  {
    name: "accepted invitation",
    input: { invitationId: "9002" },
    expect: { kind: "InvitationNotPending", status: "ACCEPTED", code: "INVITATION_NOT_PENDING" },
  },
  {
    name: "revoked invitation",
    input: { invitationId: "9003" },
    expect: { kind: "InvitationNotPending", status: "REVOKED" },
  },
  {
    name: "pending invitation",
    input: { invitationId: "9001" },
    expect: { kind: "ResendInvitationSuccess", sentTo: "bob@acme.test" },
  },
  {
    name: "pending invitation by uuid-cased user id",
    input: { userId: "0B6F1C2E-5A1D-4C39-9A57-0C1F4A7C0002" },
    expect: { kind: "ResendInvitationSuccess", sentTo: "bob@acme.test" },
  },
  {
    name: "expired invitation",
    input: { invitationId: "9004" },
    expect: { kind: "ResendInvitationSuccess", sentTo: "eve@acme.test" },
  },
  {
    name: "tenant header matching by uuid",
    tenant: ACME.uuid.toUpperCase(),
    input: { invitationId: "9001" },
    expect: { kind: "ResendInvitationSuccess" },
  },
  {
    name: "tenant header matching by id",
    tenant: "1024",
    input: { invitationId: "9001" },
    expect: { kind: "ResendInvitationSuccess" },
  },
  {
    name: "user without an invitation",
    input: { userId: "8" },
    expect: { kind: "ResendInvitationSuccess", created: true },
  },
];
