import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import {
  AcceptInvitationInput,
  AcceptInvitationResult,
  AcceptInvitationSuccess,
} from "../types/accept-invitation.types.js";
import { Invitation } from "../types/invitation.type.js";
import { User } from "../types/user.type.js";
import { toUserError } from "../types/user-errors.types.js";

@Resolver()
export class AcceptInvitationResolver {
  @Mutation(() => AcceptInvitationResult, {
    description:
      "Accepts an invitation with the token from its link. Needs no API key: the token is the credential.",
  })
  async acceptInvitation(
    @Arg("input", () => AcceptInvitationInput, { description: "The token from the invitation link." })
    input: AcceptInvitationInput,
    @Ctx() { service, call, now }: GraphQLContext,
  ): Promise<typeof AcceptInvitationResult> {
    const result = await service.acceptInvitation(call, { token: input.token });
    if (result.kind !== "AcceptInvitationSuccess") return toUserError(result);
    return Object.assign(new AcceptInvitationSuccess(), {
      invitation: Invitation.from(result.details, now()),
      user: User.from(result.details.invitee),
    });
  }
}
