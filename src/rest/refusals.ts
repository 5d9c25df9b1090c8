import type { ResendInvitationResult, ResendInvitationSuccess } from "../invitations/results.js";

/** Every resend outcome except success. */
export type ResendRefusal = Exclude<ResendInvitationResult, ResendInvitationSuccess>;

/** A refusal as the snake_case documents (000, 001, 003) answer it; each keeps what its body has room for. */
export interface SnakeCaseRefusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly notices?: readonly string[];
  readonly retryAfterSeconds?: number;
}

/**
 * Status and code of each refusal in the vocabulary of 001 (which 000 and 003 share). Exhaustive: a new
 * service outcome does not compile until it is given a status and code here.
 */
export function snakeCaseRefusal(refusal: ResendRefusal): SnakeCaseRefusal {
  const { message } = refusal;
  switch (refusal.kind) {
    case "InvalidInput":
      return { status: 400, code: "invalid_request", message, details: { fieldErrors: refusal.fieldErrors } };
    case "Unauthenticated":
      return { status: 401, code: "unauthorized", message };
    case "TenantMismatch":
      return { status: 403, code: "tenant_mismatch", message };
    case "PermissionDenied":
      return { status: 403, code: "forbidden", message, notices: refusal.notices };
    case "UserNotFound":
    case "InvitationNotFound":
      return { status: 404, code: "not_found", message };
    case "UserAlreadyVerified":
      return { status: 409, code: "already_verified", message };
    // Not reachable by user id (the service then picks or creates a pending invitation); a state conflict.
    case "InvitationNotPending":
      return {
        status: 409,
        code: "invitation_not_pending",
        message,
        details: { status: refusal.status.toLowerCase() },
      };
    case "UserHasNoEmail":
      return { status: 422, code: "missing_email", message };
    case "ServiceAccountNotInvitable":
      return { status: 422, code: "service_account", message };
    // Statuses of the IETF Idempotency-Key draft: another request under the key, or the first still running.
    case "IdempotencyKeyReused":
      return { status: 422, code: "idempotency_key_reused", message };
    case "IdempotencyKeyInUse":
      return { status: 409, code: "idempotency_key_in_use", message };
    case "ResendRateLimited": {
      const { retryAfterSeconds } = refusal;
      return {
        status: 429,
        code: "rate_limited",
        message,
        details: { retryAfterSeconds },
        retryAfterSeconds,
      };
    }
    default: {
      const _exhaustive: never = refusal;
      throw new Error(`unmapped refusal ${JSON.stringify(_exhaustive)}`);
    }
  }
}
