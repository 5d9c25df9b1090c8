import type { InvitationStatus } from "./model.js";

/** Stable, public error codes. Values are part of the API: add new ones, never rename. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  TENANT_MISMATCH: "TENANT_MISMATCH",
  INVITATION_NOT_FOUND: "INVITATION_NOT_FOUND",
  USER_NOT_FOUND: "USER_NOT_FOUND",
  INVALID_INPUT: "INVALID_INPUT",
  USER_HAS_NO_EMAIL: "USER_HAS_NO_EMAIL",
  SERVICE_ACCOUNT_NOT_INVITABLE: "SERVICE_ACCOUNT_NOT_INVITABLE",
  USER_ALREADY_VERIFIED: "USER_ALREADY_VERIFIED",
  INVITATION_NOT_PENDING: "INVITATION_NOT_PENDING",
  RATE_LIMITED: "RATE_LIMITED",
  INVALID_INVITATION_TOKEN: "INVALID_INVITATION_TOKEN",
  INVITATION_EXPIRED: "INVITATION_EXPIRED",
  INVITATION_ALREADY_PENDING: "INVITATION_ALREADY_PENDING",
  IDEMPOTENCY_KEY_REUSED: "IDEMPOTENCY_KEY_REUSED",
  IDEMPOTENCY_KEY_IN_USE: "IDEMPOTENCY_KEY_IN_USE",
  WEBHOOK_ENDPOINT_NOT_FOUND: "WEBHOOK_ENDPOINT_NOT_FOUND",
  WEBHOOK_DELIVERY_NOT_FOUND: "WEBHOOK_DELIVERY_NOT_FOUND",
  WEBHOOK_URL_NOT_ALLOWED: "WEBHOOK_URL_NOT_ALLOWED",
  WEBHOOK_SECRETS_UNAVAILABLE: "WEBHOOK_SECRETS_UNAVAILABLE",
  WEBHOOK_ENDPOINT_LIMIT_REACHED: "WEBHOOK_ENDPOINT_LIMIT_REACHED",
  WEBHOOK_ENDPOINT_DISABLED: "WEBHOOK_ENDPOINT_DISABLED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every refusal the service returns: a discriminating `kind`, a stable `code` and a human message. */
export interface ErrorResultOf<K extends string, C extends ErrorCode> {
  readonly kind: K;
  readonly code: C;
  readonly message: string;
}

export interface FieldError {
  /** Where the bad value sits in the input, e.g. `["input", "invitationId"]`. */
  readonly path: readonly string[];
  readonly message: string;
}

export type Unauthenticated = ErrorResultOf<"Unauthenticated", "UNAUTHENTICATED">;
export type PermissionDenied = ErrorResultOf<"PermissionDenied", "PERMISSION_DENIED"> & {
  /** Why: the `@notice` texts of the policies that denied it, or a generic notice for a default deny. */
  readonly notices: readonly string[];
  /** The policies that determined the denial, for the audit trail; never shown to the caller. */
  readonly policyIds: readonly string[];
};
export type TenantMismatch = ErrorResultOf<"TenantMismatch", "TENANT_MISMATCH">;
export type InvitationNotFound = ErrorResultOf<"InvitationNotFound", "INVITATION_NOT_FOUND">;
export type UserNotFound = ErrorResultOf<"UserNotFound", "USER_NOT_FOUND">;
export type InvalidInput = ErrorResultOf<"InvalidInput", "INVALID_INPUT"> & {
  readonly fieldErrors: readonly FieldError[];
};
export type UserHasNoEmail = ErrorResultOf<"UserHasNoEmail", "USER_HAS_NO_EMAIL">;
export type ServiceAccountNotInvitable = ErrorResultOf<
  "ServiceAccountNotInvitable",
  "SERVICE_ACCOUNT_NOT_INVITABLE"
>;
export type UserAlreadyVerified = ErrorResultOf<"UserAlreadyVerified", "USER_ALREADY_VERIFIED">;
export type InvitationNotPending = ErrorResultOf<"InvitationNotPending", "INVITATION_NOT_PENDING"> & {
  readonly status: InvitationStatus;
};
/** Which limit refused: the invitee's cooldown, one of the abuse caps, or the caller's request rate. */
export type SendLimit = "cooldown" | "tenant_hourly_cap" | "recipient_daily_cap" | "request_rate";

export type ResendRateLimited = ErrorResultOf<"ResendRateLimited", "RATE_LIMITED"> & {
  readonly retryAfterSeconds: number;
  readonly limit: SendLimit;
};

export type InvalidInvitationToken = ErrorResultOf<"InvalidInvitationToken", "INVALID_INVITATION_TOKEN">;
export type InvitationExpired = ErrorResultOf<"InvitationExpired", "INVITATION_EXPIRED"> & {
  readonly expiredAt: number;
};
export type InvitationAlreadyPending = ErrorResultOf<
  "InvitationAlreadyPending",
  "INVITATION_ALREADY_PENDING"
> & {
  /** The invitation to resend instead. */
  readonly invitationId: number;
};

export type IdempotencyKeyReused = ErrorResultOf<"IdempotencyKeyReused", "IDEMPOTENCY_KEY_REUSED">;
export type IdempotencyKeyInUse = ErrorResultOf<"IdempotencyKeyInUse", "IDEMPOTENCY_KEY_IN_USE">;

/** The refusals any authenticated operation can answer before it looks at its input. */
export type AccessError = Unauthenticated | TenantMismatch | PermissionDenied;

export const errors = {
  unauthenticated: (): Unauthenticated => ({
    kind: "Unauthenticated",
    code: ErrorCode.UNAUTHENTICATED,
    message: "A valid API key is required (Authorization: Bearer KEY or X-Api-Key: KEY).",
  }),
  /** `named`: where the request named the other tenant, so the message points at what the caller sent. */
  tenantMismatch: (named: readonly ("header" | "path")[] = ["header"]): TenantMismatch => ({
    kind: "TenantMismatch",
    code: ErrorCode.TENANT_MISMATCH,
    message: tenantMismatchMessage(named),
  }),
  permissionDenied: (notices: readonly string[], policyIds: readonly string[]): PermissionDenied => ({
    kind: "PermissionDenied",
    code: ErrorCode.PERMISSION_DENIED,
    message: "You do not have permission to perform this operation.",
    notices,
    policyIds,
  }),
  invalidInput: (fieldErrors: readonly FieldError[]): InvalidInput => ({
    kind: "InvalidInput",
    code: ErrorCode.INVALID_INPUT,
    message: fieldErrors.map((e) => `${e.path.join(".")}: ${e.message}`).join("; "),
    fieldErrors,
  }),
  // Same words whether the id is unknown or belongs to another tenant: nothing leaks either way.
  invitationNotFound: (): InvitationNotFound => ({
    kind: "InvitationNotFound",
    code: ErrorCode.INVITATION_NOT_FOUND,
    message: "No invitation with this id exists in your tenant.",
  }),
  userNotFound: (): UserNotFound => ({
    kind: "UserNotFound",
    code: ErrorCode.USER_NOT_FOUND,
    message: "No user with this id exists in your tenant.",
  }),
  userHasNoEmail: (): UserHasNoEmail => ({
    kind: "UserHasNoEmail",
    code: ErrorCode.USER_HAS_NO_EMAIL,
    message: "The user has no email address to send an invitation to.",
  }),
  serviceAccountNotInvitable: (): ServiceAccountNotInvitable => ({
    kind: "ServiceAccountNotInvitable",
    code: ErrorCode.SERVICE_ACCOUNT_NOT_INVITABLE,
    message: "Service accounts (such as MCP service accounts) cannot be invited.",
  }),
  userAlreadyVerified: (): UserAlreadyVerified => ({
    kind: "UserAlreadyVerified",
    code: ErrorCode.USER_ALREADY_VERIFIED,
    message: "The user has already verified their email address; there is nothing to resend.",
  }),
  invitationNotPending: (status: InvitationStatus): InvitationNotPending => ({
    kind: "InvitationNotPending",
    code: ErrorCode.INVITATION_NOT_PENDING,
    message: `The invitation is ${status.toLowerCase()}; only pending or expired invitations can be resent.`,
    status,
  }),
  resendRateLimited: (
    retryAfterSeconds: number,
    limit: SendLimit = "cooldown",
    reason = "The invitation was sent moments ago",
  ): ResendRateLimited => ({
    kind: "ResendRateLimited",
    code: ErrorCode.RATE_LIMITED,
    message: `${reason}; try again in ${retryAfterSeconds} s.`,
    retryAfterSeconds,
    limit,
  }),
  // Unknown, replaced, revoked and used tokens are indistinguishable on purpose.
  invalidInvitationToken: (): InvalidInvitationToken => ({
    kind: "InvalidInvitationToken",
    code: ErrorCode.INVALID_INVITATION_TOKEN,
    message: "This invitation link is not valid. Ask for a new invitation.",
  }),
  invitationExpired: (expiredAt: number): InvitationExpired => ({
    kind: "InvitationExpired",
    code: ErrorCode.INVITATION_EXPIRED,
    message: "This invitation link has expired. Ask for it to be resent.",
    expiredAt,
  }),
  idempotencyKeyReused: (): IdempotencyKeyReused => ({
    kind: "IdempotencyKeyReused",
    code: ErrorCode.IDEMPOTENCY_KEY_REUSED,
    message: "This idempotency key was already used with a different request; use a new key.",
  }),
  idempotencyKeyInUse: (): IdempotencyKeyInUse => ({
    kind: "IdempotencyKeyInUse",
    code: ErrorCode.IDEMPOTENCY_KEY_IN_USE,
    message: "A request with this idempotency key is still being processed; retry shortly.",
  }),
  invitationAlreadyPending: (invitationId: number): InvitationAlreadyPending => ({
    kind: "InvitationAlreadyPending",
    code: ErrorCode.INVITATION_ALREADY_PENDING,
    message: `The user already has a pending invitation (${invitationId}); use resendInvitation to send it again.`,
    invitationId,
  }),
};

const TENANT_CLAIM_NAMES = { header: "X-Tenant-ID", path: "The tenant in the path" } as const;

function tenantMismatchMessage(named: readonly ("header" | "path")[]): string {
  if (named.length === 2) {
    return "X-Tenant-ID and the tenant in the path do not match the tenant of the credential.";
  }
  return `${TENANT_CLAIM_NAMES[named[0] ?? "header"]} does not match the tenant of the credential.`;
}
