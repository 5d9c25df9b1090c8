import { createUnionType, Field, ObjectType } from "type-graphql";
import { Invitation } from "./invitation.type.js";
import {
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  InvalidInput,
  InvitationNotFound,
  InvitationNotPending,
  PermissionDenied,
  ResendRateLimited,
  ServiceAccountNotInvitable,
  TenantMismatch,
  Unauthenticated,
  UserAlreadyVerified,
  UserHasNoEmail,
  UserNotFound,
} from "./user-errors.types.js";

@ObjectType({ description: "The invitation email was queued (not yet delivered) with a new link." })
export class ResendInvitationSuccess {
  @Field(() => Invitation, {
    description: "The invitation as resent: PENDING, new expiresAt, sendCount + 1.",
  })
  invitation!: Invitation;

  @Field(() => String, { description: "The address the email was queued for." })
  sentTo!: string;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;

  @Field(() => Boolean, {
    description: "True when this repeats the answer to an earlier call with the same idempotencyKey.",
  })
  replayed!: boolean;
}

export const ResendInvitationResult = createUnionType({
  name: "ResendInvitationResult",
  description: "The outcome of resendInvitation: success or one of the documented refusals.",
  types: () =>
    [
      ResendInvitationSuccess,
      Unauthenticated,
      PermissionDenied,
      TenantMismatch,
      InvitationNotFound,
      UserNotFound,
      InvalidInput,
      UserHasNoEmail,
      ServiceAccountNotInvitable,
      UserAlreadyVerified,
      InvitationNotPending,
      ResendRateLimited,
      IdempotencyKeyReused,
      IdempotencyKeyInUse,
    ] as const,
});
