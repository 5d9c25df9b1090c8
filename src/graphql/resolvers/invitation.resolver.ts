import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { queryRefusal } from "../query-errors.js";
import { InvitationConnection } from "../types/connections.types.js";
import { InvitationStatus, UserRole } from "../types/enums.js";
import { Invitation } from "../types/invitation.type.js";
import { InviteUserInput, InviteUserResult, InviteUserSuccess } from "../types/invite-user.types.js";
import { ResendInvitationInput } from "../types/resend-invitation.input.js";
import { ResendInvitationResult, ResendInvitationSuccess } from "../types/resend-invitation.result.js";
import {
  RevokeInvitationInput,
  RevokeInvitationResult,
  RevokeInvitationSuccess,
} from "../types/revoke-invitation.types.js";
import { toUserError } from "../types/user-errors.types.js";

/** Invitation management for a tenant's admins. Each resolver maps one service result, nothing more. */
@Resolver()
export class InvitationResolver {
  @Mutation(() => ResendInvitationResult, {
    description: "Sends the invitation again with a new link (the old one stops working). Errors are data.",
  })
  async resendInvitation(
    @Arg("input", () => ResendInvitationInput, { description: "Which invitation, or whose, to send again." })
    input: ResendInvitationInput,
    @Ctx() { service, call, now }: GraphQLContext,
  ): Promise<typeof ResendInvitationResult> {
    const result = await service.resendInvitation(call, {
      invitationId: input.invitationId,
      userId: input.userId,
      idempotencyKey: input.idempotencyKey,
    });
    if (result.kind !== "ResendInvitationSuccess") return toUserError(result);
    return Object.assign(new ResendInvitationSuccess(), {
      invitation: Invitation.from(result.details, now()),
      sentTo: result.sentTo,
      clientMutationId: input.clientMutationId ?? null,
      replayed: result.replayed,
    });
  }

  @Mutation(() => InviteUserResult, {
    description: "Invites an address: creates the user when absent, an invitation, and queues the email.",
  })
  async inviteUser(
    @Arg("input", () => InviteUserInput, {
      description: "The address to invite, and the new user's details.",
    })
    input: InviteUserInput,
    @Ctx() { service, call, now }: GraphQLContext,
  ): Promise<typeof InviteUserResult> {
    const role = input.role == null ? null : input.role === UserRole.ADMIN ? "admin" : "member";
    const result = await service.inviteUser(call, { email: input.email, name: input.name, role });
    if (result.kind !== "InviteUserSuccess") return toUserError(result);
    return Object.assign(new InviteUserSuccess(), {
      invitation: Invitation.from(result.details, now()),
      sentTo: result.sentTo,
      userCreated: result.userCreated,
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Mutation(() => RevokeInvitationResult, {
    description: "Revokes a pending or expired invitation; its link stops working at once.",
  })
  async revokeInvitation(
    @Arg("input", () => RevokeInvitationInput, { description: "The invitation to revoke." })
    input: RevokeInvitationInput,
    @Ctx() { service, call, now }: GraphQLContext,
  ): Promise<typeof RevokeInvitationResult> {
    const result = await service.revokeInvitation(call, { invitationId: input.invitationId });
    if (result.kind !== "RevokeInvitationSuccess") return toUserError(result);
    return Object.assign(new RevokeInvitationSuccess(), {
      invitation: Invitation.from(result.details, now()),
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Query(() => Invitation, {
    nullable: true,
    description: "The invitation with this id or uuid; null when absent or in another tenant.",
  })
  async invitation(
    @Arg("id", () => ID, { description: "The invitation's integer id or uuid." }) id: string,
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
        throw queryRefusal(result);
      default: {
        const _exhaustive: never = result;
        throw new Error(`unhandled lookup ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  @Query(() => InvitationConnection, { description: "The tenant's invitations, newest first, paginated." })
  async invitations(
    @Ctx() { service, call, now }: GraphQLContext,
    @Arg("status", () => InvitationStatus, {
      nullable: true,
      description: "Only invitations in this status (EXPIRED: pending past expiresAt); all when omitted.",
    })
    status?: InvitationStatus | null,
    @Arg("email", () => String, { nullable: true, description: "Only the invitee with this address." })
    email?: string | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size: 1 to 100, default 20." })
    first?: number | null,
    @Arg("after", () => String, {
      nullable: true,
      description: "A cursor from an earlier page (its endCursor): the page starts after it.",
    })
    after?: string | null,
  ): Promise<InvitationConnection> {
    const result = await service.listInvitations(call, { status, email, first, after });
    if (result.kind !== "InvitationPage") throw queryRefusal(result);
    return InvitationConnection.from(result.page, now());
  }
}
