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

@InputType()
export class InviteUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { nullable: true, description: "Defaults to the address's local part." })
  name?: string | null;

  @Field(() => UserRole, { nullable: true, description: "For a newly created user; defaults to MEMBER." })
  role?: UserRole | null;

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@ObjectType({ description: "The invitation was created and its email queued." })
export class InviteUserSuccess {
  @Field(() => Invitation)
  invitation!: Invitation;

  @Field(() => String)
  sentTo!: string;

  @Field(() => Boolean, { description: "False when the address belonged to an existing user of the tenant." })
  userCreated!: boolean;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

export const InviteUserResult = createUnionType({
  name: "InviteUserResult",
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
