import type {
  AccessError,
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  InvalidInput,
  InvalidInvitationToken,
  InvitationAlreadyPending,
  InvitationExpired,
  InvitationNotFound,
  InvitationNotPending,
  PermissionDenied,
  ResendRateLimited,
  ServiceAccountNotInvitable,
  UserAlreadyVerified,
  UserHasNoEmail,
  UserNotFound,
} from "./errors.js";
import type { InvitationDetails, User } from "./model.js";

export interface ResendInvitationInput {
  /** Integer id or uuid of the invitation to resend. */
  readonly invitationId?: string | null;
  /** Integer id or uuid of the user whose invitation to resend (or create). */
  readonly userId?: string | null;
  /** Makes retries safe: the same key and input replay the first success instead of sending again. */
  readonly idempotencyKey?: string | null;
}

export interface ResendInvitationSuccess {
  readonly kind: "ResendInvitationSuccess";
  readonly details: InvitationDetails;
  /** The admin who made this send (the invitation's inviter may be someone else, or unknown). */
  readonly resentBy: User;
  /** Who the invitation is from: its recorded inviter, or the admin resending it when none is recorded. */
  readonly invitedBy: User;
  /** The address the email was queued for. */
  readonly sentTo: string;
  /**
   * The new accept link. Only adapters whose document returns it (an admin may hand it over) expose it.
   * Null on an idempotent replay: the link is shown once and never stored.
   */
  readonly acceptUrl: string | null;
  /** True when the user had no invitation to resend and a new one was created. */
  readonly created: boolean;
  /** True when this is the remembered answer to an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

/** Every outcome of a resend. Adapters switch over `kind` exhaustively. */
export type ResendInvitationResult =
  | ResendInvitationSuccess
  | AccessError
  | InvalidInput
  | InvitationNotFound
  | UserNotFound
  | UserHasNoEmail
  | ServiceAccountNotInvitable
  | UserAlreadyVerified
  | InvitationNotPending
  | ResendRateLimited
  | IdempotencyKeyReused
  | IdempotencyKeyInUse;

export type InvitationLookup =
  | { readonly kind: "Found"; readonly details: InvitationDetails }
  | { readonly kind: "NotFound" }
  | AccessError;

export interface AcceptInvitationInput {
  readonly token: string;
}

export type AcceptInvitationResult =
  | { readonly kind: "AcceptInvitationSuccess"; readonly details: InvitationDetails }
  | InvalidInvitationToken
  | InvitationExpired
  | PermissionDenied;

export interface InviteUserInput {
  readonly email: string;
  /** Defaults to the address's local part. */
  readonly name?: string | null;
  /** For a user created by this invitation; an existing user's role is left as it is. */
  readonly role?: "admin" | "member" | null;
}

export type InviteUserResult =
  | {
      readonly kind: "InviteUserSuccess";
      readonly details: InvitationDetails;
      readonly sentTo: string;
      readonly acceptUrl: string;
      /** False when the address belonged to an existing user of the tenant. */
      readonly userCreated: boolean;
    }
  | AccessError
  | InvalidInput
  | UserAlreadyVerified
  | ServiceAccountNotInvitable
  | UserHasNoEmail
  | InvitationAlreadyPending
  | ResendRateLimited;

export interface RevokeInvitationInput {
  readonly invitationId: string;
}

export type RevokeInvitationResult =
  | { readonly kind: "RevokeInvitationSuccess"; readonly details: InvitationDetails }
  | AccessError
  | InvalidInput
  | InvitationNotFound
  | InvitationNotPending;
