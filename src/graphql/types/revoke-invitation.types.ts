import { createUnionType, Field, ID, InputType, ObjectType } from "type-graphql";
import { Invitation } from "./invitation.type.js";
import {
  InvalidInput,
  InvitationNotFound,
  InvitationNotPending,
  PermissionDenied,
  TenantMismatch,
  Unauthenticated,
} from "./user-errors.types.js";

@InputType()
export class RevokeInvitationInput {
  @Field(() => ID)
  invitationId!: string;

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@ObjectType({
  description: "The invitation is revoked; its link no longer works and queued emails are dropped.",
})
export class RevokeInvitationSuccess {
  @Field(() => Invitation)
  invitation!: Invitation;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

export const RevokeInvitationResult = createUnionType({
  name: "RevokeInvitationResult",
  types: () =>
    [
      RevokeInvitationSuccess,
      Unauthenticated,
      PermissionDenied,
      TenantMismatch,
      InvalidInput,
      InvitationNotFound,
      InvitationNotPending,
    ] as const,
});
