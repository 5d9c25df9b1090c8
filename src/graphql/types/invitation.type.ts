import { DateTimeISO } from "./date-time.scalar.js";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { effectiveStatus, type InvitationDetails } from "../../invitations/model.js";
import { InvitationStatus } from "./enums.js";
import { User } from "./user.type.js";

@ObjectType({ description: "An invitation of one user to one tenant. Tokens are never exposed." })
export class Invitation {
  @Field(() => ID, {
    description: "The integer id; arguments taking an invitation id accept it or the uuid.",
  })
  id!: string;

  @Field(() => String, { description: "The stable public id, accepted wherever an id is." })
  uuid!: string;

  @Field(() => InvitationStatus, { description: "Where it is in its life, EXPIRED computed from expiresAt." })
  status!: InvitationStatus;

  @Field(() => String, { description: "The invitee's current email address.", nullable: true })
  email!: string | null;

  @Field(() => DateTimeISO, { description: "When the current link stops working; each resend restarts it." })
  expiresAt!: Date;

  @Field(() => Int, { description: "How many times the invitation email was queued." })
  sendCount!: number;

  @Field(() => DateTimeISO, { nullable: true, description: "When the email was last queued; null if never." })
  lastSentAt!: Date | null;

  @Field(() => DateTimeISO, { description: "When the invitation was first created." })
  createdAt!: Date;

  @Field(() => User, { description: "The user invited; accepting verifies their address." })
  invitee!: User;

  @Field(() => User, { nullable: true, description: "Who first invited; null when unknown or deleted." })
  inviter!: User | null;

  static from({ invitation, invitee, inviter }: InvitationDetails, now: number): Invitation {
    return Object.assign(new Invitation(), {
      id: String(invitation.id),
      uuid: invitation.uuid,
      status: InvitationStatus[effectiveStatus(invitation, now)],
      email: invitee.email,
      expiresAt: new Date(invitation.expiresAt),
      sendCount: invitation.sendCount,
      lastSentAt: invitation.lastSentAt === null ? null : new Date(invitation.lastSentAt),
      createdAt: new Date(invitation.createdAt),
      invitee: User.from(invitee),
      inviter: inviter === null ? null : User.from(inviter),
    });
  }
}
