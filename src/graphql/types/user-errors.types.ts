import { DateTimeISO } from "./date-time.scalar.js";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type * as Domain from "../../invitations/errors.js";
import type { ErrorCode } from "./enums.js";
import { InvitationStatus } from "./enums.js";
import { UserError } from "./user-error.interface.js";

// One GraphQL type per refusal the service can return. Each keeps the service's code and message.

@ObjectType({ implements: UserError, description: "No valid API key was presented. (401)" })
export class Unauthenticated extends UserError {}

@ObjectType({
  implements: UserError,
  description: "The authorization policies do not allow this operation. (403)",
})
export class PermissionDenied extends UserError {
  @Field(() => [String], {
    description:
      "Why: the notices of the policies that denied it (their @notice text), or one generic notice when no " +
      "policy permits it.",
  })
  notices!: string[];
}

@ObjectType({
  implements: UserError,
  description: "X-Tenant-ID names another tenant than the credential's. (403)",
})
export class TenantMismatch extends UserError {}

@ObjectType({ implements: UserError, description: "No such invitation in the caller's tenant. (404)" })
export class InvitationNotFound extends UserError {}

@ObjectType({ implements: UserError, description: "No such user in the caller's tenant. (404)" })
export class UserNotFound extends UserError {}

@ObjectType({ description: "One invalid input value." })
export class FieldError {
  @Field(() => [String], { description: 'Path of the value in the input, e.g. ["input", "invitationId"].' })
  path!: string[];

  @Field(() => String, { description: "What is wrong with the value, for a person to read." })
  message!: string;
}

@ObjectType({ implements: UserError, description: "The input is malformed. (400)" })
export class InvalidInput extends UserError {
  @Field(() => [FieldError], { description: "Every invalid value of the input, each with its path." })
  fieldErrors!: FieldError[];
}

@ObjectType({ implements: UserError, description: "The user has no email address. (422)" })
export class UserHasNoEmail extends UserError {}

@ObjectType({ implements: UserError, description: "Service accounts (e.g. MCP) cannot be invited. (422)" })
export class ServiceAccountNotInvitable extends UserError {}

@ObjectType({ implements: UserError, description: "The user already verified their email. (409)" })
export class UserAlreadyVerified extends UserError {}

@ObjectType({ implements: UserError, description: "Only pending or expired invitations can be resent." })
export class InvitationNotPending extends UserError {
  @Field(() => InvitationStatus, { description: "The invitation's status: ACCEPTED or REVOKED." })
  status!: InvitationStatus;
}

@ObjectType({ implements: UserError, description: "Sent too recently; try again later. (429)" })
export class ResendRateLimited extends UserError {
  @Field(() => Int, { description: "Seconds to wait before the same call can succeed." })
  retryAfterSeconds!: number;
}

@ObjectType({
  implements: UserError,
  description: "The link's token is unknown, replaced, revoked or already used.",
})
export class InvalidInvitationToken extends UserError {}

@ObjectType({
  implements: UserError,
  description: "The link is valid but past its expiry; ask for a resend.",
})
export class InvitationExpired extends UserError {
  @Field(() => DateTimeISO, { description: "When the link stopped working." })
  expiredAt!: Date;
}

@ObjectType({
  implements: UserError,
  description: "The user already has a pending invitation; resend it instead.",
})
export class InvitationAlreadyPending extends UserError {
  @Field(() => ID, { description: "The pending invitation's id: pass it to resendInvitation." })
  invitationId!: string;
}

@ObjectType({
  implements: UserError,
  description: "The idempotency key was used with a different request. (422)",
})
export class IdempotencyKeyReused extends UserError {}

@ObjectType({
  implements: UserError,
  description: "A request with this idempotency key is still running. (409)",
})
export class IdempotencyKeyInUse extends UserError {}

type DomainError =
  | Domain.AccessError
  | Domain.InvalidInput
  | Domain.InvitationNotFound
  | Domain.UserNotFound
  | Domain.UserHasNoEmail
  | Domain.ServiceAccountNotInvitable
  | Domain.UserAlreadyVerified
  | Domain.InvitationNotPending
  | Domain.ResendRateLimited
  | Domain.InvalidInvitationToken
  | Domain.InvitationExpired
  | Domain.InvitationAlreadyPending
  | Domain.IdempotencyKeyReused
  | Domain.IdempotencyKeyInUse;

/** The GraphQL object for a service refusal. Exhaustive: a new refusal does not compile until it is mapped. */
export function toUserError(error: DomainError): UserError {
  const base = { code: error.code as ErrorCode, message: error.message };
  switch (error.kind) {
    case "Unauthenticated":
      return Object.assign(new Unauthenticated(), base);
    case "PermissionDenied":
      return Object.assign(new PermissionDenied(), base, { notices: [...error.notices] });
    case "TenantMismatch":
      return Object.assign(new TenantMismatch(), base);
    case "InvalidInput":
      return Object.assign(new InvalidInput(), base, {
        fieldErrors: error.fieldErrors.map((e) =>
          Object.assign(new FieldError(), { path: [...e.path], message: e.message }),
        ),
      });
    case "InvitationNotFound":
      return Object.assign(new InvitationNotFound(), base);
    case "UserNotFound":
      return Object.assign(new UserNotFound(), base);
    case "UserHasNoEmail":
      return Object.assign(new UserHasNoEmail(), base);
    case "ServiceAccountNotInvitable":
      return Object.assign(new ServiceAccountNotInvitable(), base);
    case "UserAlreadyVerified":
      return Object.assign(new UserAlreadyVerified(), base);
    case "InvitationNotPending":
      return Object.assign(new InvitationNotPending(), base, { status: InvitationStatus[error.status] });
    case "ResendRateLimited":
      return Object.assign(new ResendRateLimited(), base, { retryAfterSeconds: error.retryAfterSeconds });
    case "InvalidInvitationToken":
      return Object.assign(new InvalidInvitationToken(), base);
    case "InvitationExpired":
      return Object.assign(new InvitationExpired(), base, { expiredAt: new Date(error.expiredAt) });
    case "InvitationAlreadyPending":
      return Object.assign(new InvitationAlreadyPending(), base, {
        invitationId: String(error.invitationId),
      });
    case "IdempotencyKeyReused":
      return Object.assign(new IdempotencyKeyReused(), base);
    case "IdempotencyKeyInUse":
      return Object.assign(new IdempotencyKeyInUse(), base);
    default: {
      const _exhaustive: never = error;
      throw new Error(`unmapped error ${JSON.stringify(_exhaustive)}`);
    }
  }
}
