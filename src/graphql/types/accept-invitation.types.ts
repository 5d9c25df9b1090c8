import { createUnionType, Field, InputType, ObjectType } from "type-graphql";
import { Invitation } from "./invitation.type.js";
import { User } from "./user.type.js";
import { InvalidInvitationToken, InvitationExpired, PermissionDenied } from "./user-errors.types.js";

@InputType()
export class AcceptInvitationInput {
  @Field(() => String, { description: "The token from the invitation link." })
  token!: string;
}

@ObjectType({
  description: "The invitation is accepted and the invitee's email verified; the link is now spent.",
})
export class AcceptInvitationSuccess {
  @Field(() => Invitation)
  invitation!: Invitation;

  @Field(() => User)
  user!: User;
}

export const AcceptInvitationResult = createUnionType({
  name: "AcceptInvitationResult",
  types: () =>
    [AcceptInvitationSuccess, InvalidInvitationToken, InvitationExpired, PermissionDenied] as const,
});
