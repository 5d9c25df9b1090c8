import { DateTimeISO } from "./date-time.scalar.js";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { effectiveStatus, type InvitationDetails } from "../../invitations/model.js";
import { InvitationStatus } from "./enums.js";
import { User } from "./user.type.js";

@ObjectType({ description: "An invitation of one user to one tenant. Tokens are never exposed." })
export class Invitation {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  uuid!: string;

  @Field(() => InvitationStatus)
  status!: InvitationStatus;

  @Field(() => String, { description: "The invitee's current email address.", nullable: true })
  email!: string | null;

  @Field(() => DateTimeISO)
  expiresAt!: Date;

  @Field(() => Int, { description: "How many times the invitation email was queued." })
  sendCount!: number;

  @Field(() => DateTimeISO, { nullable: true })
  lastSentAt!: Date | null;

  @Field(() => DateTimeISO)
  createdAt!: Date;

  @Field(() => User)
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
