import { createUnionType, Field, InputType, ObjectType } from "type-graphql";
import { Invitation } from "./invitation.type.js";
import { User } from "./user.type.js";
import { InvalidInvitationToken, InvitationExpired, PermissionDenied } from "./user-errors.types.js";

@InputType({ description: "The token of an emailed accept link: the only credential accepting needs." })
export class AcceptInvitationInput {
  @Field(() => String, { description: "The token from the invitation link." })
  token!: string;
}

@ObjectType({
  description: "The invitation is accepted and the invitee's email verified; the link is now spent.",
})
export class AcceptInvitationSuccess {
  @Field(() => Invitation, { description: "The invitation, now ACCEPTED." })
  invitation!: Invitation;

  @Field(() => User, { description: "The invitee, whose address is now verified." })
  user!: User;
}

export const AcceptInvitationResult = createUnionType({
  name: "AcceptInvitationResult",
  description:
    "The outcome of acceptInvitation: success, a dead or expired link, or a refusal by the policies.",
  types: () =>
    [AcceptInvitationSuccess, InvalidInvitationToken, InvitationExpired, PermissionDenied] as const,
});
