import { createUnionType, Field, InputType, ObjectType } from "type-graphql";
import { UserRole } from "./enums.js";
import { Invitation } from "./invitation.type.js";
import {
  InvalidInput,
  InvitationAlreadyPending,
  PermissionDenied,
  ResendRateLimited,
  ServiceAccountNotInvitable,
  TenantMismatch,
  Unauthenticated,
  UserAlreadyVerified,
  UserHasNoEmail,
} from "./user-errors.types.js";

@InputType({ description: "Whom to invite into the caller's tenant." })
export class InviteUserInput {
  @Field(() => String, {
    description: "The invitee's address; a user of the tenant with it is invited, else one is created.",
  })
  email!: string;

  @Field(() => String, { nullable: true, description: "Defaults to the address's local part." })
  name?: string | null;

  @Field(() => UserRole, { nullable: true, description: "For a newly created user; defaults to MEMBER." })
  role?: UserRole | null;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@ObjectType({ description: "The invitation was created and its email queued." })
export class InviteUserSuccess {
  @Field(() => Invitation, { description: "The new invitation, PENDING." })
  invitation!: Invitation;

  @Field(() => String, { description: "The address the email was queued for." })
  sentTo!: string;

  @Field(() => Boolean, { description: "False when the address belonged to an existing user of the tenant." })
  userCreated!: boolean;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

export const InviteUserResult = createUnionType({
  name: "InviteUserResult",
  description: "The outcome of inviteUser: success or one of the documented refusals.",
  types: () =>
    [
      InviteUserSuccess,
      Unauthenticated,
      PermissionDenied,
      TenantMismatch,
      InvalidInput,
      UserAlreadyVerified,
      ServiceAccountNotInvitable,
      UserHasNoEmail,
      InvitationAlreadyPending,
      ResendRateLimited,
    ] as const,
});
