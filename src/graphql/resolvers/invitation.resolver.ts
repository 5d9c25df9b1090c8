import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { accessErrorToGraphQLError } from "../access-error.js";
import type { GraphQLContext } from "../context.js";
import { Invitation } from "../types/invitation.type.js";
import { ResendInvitationInput } from "../types/resend-invitation.input.js";
import { ResendInvitationResult, ResendInvitationSuccess } from "../types/resend-invitation.result.js";
import { toUserError } from "../types/user-errors.types.js";

@Resolver()
export class InvitationResolver {
  @Mutation(() => ResendInvitationResult, {
    description: "Sends the invitation again with a new link (the old one stops working). Errors are data.",
  })
  async resendInvitation(
    @Arg("input", () => ResendInvitationInput) input: ResendInvitationInput,
    @Ctx() { service, call, now }: GraphQLContext,
  ): Promise<typeof ResendInvitationResult> {
    const result = await service.resendInvitation(call, { invitationId: input.invitationId, userId: input.userId });
    if (result.kind !== "ResendInvitationSuccess") return toUserError(result);
    return Object.assign(new ResendInvitationSuccess(), {
      invitation: Invitation.from(result.details, now()),
      sentTo: result.sentTo,
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Query(() => Invitation, {
    nullable: true,
    description: "The invitation with this id or uuid; null when absent or in another tenant.",
  })
  async invitation(
    @Arg("id", () => ID) id: string,
    @Ctx() { service, call, now }: GraphQLContext,
  ): Promise<Invitation | null> {
    const result = await service.findInvitation(call, id);
    switch (result.kind) {
      case "Found":
        return Invitation.from(result.details, now());
      case "NotFound":
        return null;
      case "Unauthenticated":
      case "TenantMismatch":
      case "PermissionDenied":
        throw accessErrorToGraphQLError(result);
      default: {
        const _exhaustive: never = result;
        throw new Error(`unhandled lookup ${JSON.stringify(_exhaustive)}`);
      }
    }
  }
}
