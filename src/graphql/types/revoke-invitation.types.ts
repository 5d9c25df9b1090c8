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

@InputType({ description: "Which invitation to revoke." })
export class RevokeInvitationInput {
  @Field(() => ID, { description: "The invitation's integer id or uuid; it must be pending or expired." })
  invitationId!: string;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@ObjectType({
  description: "The invitation is revoked; its link no longer works and queued emails are dropped.",
})
export class RevokeInvitationSuccess {
  @Field(() => Invitation, { description: "The invitation, now REVOKED." })
  invitation!: Invitation;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

export const RevokeInvitationResult = createUnionType({
  name: "RevokeInvitationResult",
  description: "The outcome of revokeInvitation: success or one of the documented refusals.",
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
