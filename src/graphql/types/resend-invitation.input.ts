import { Field, ID, InputType } from "type-graphql";

@InputType({ description: "Exactly one of invitationId or userId. Ids are integer ids or uuids." })
export class ResendInvitationInput {
  @Field(() => ID, { nullable: true, description: "The invitation to resend." })
  invitationId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "The user whose latest pending or expired invitation to resend; one is created when there is none.",
  })
  userId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Makes retries safe (per tenant, kept 24 h): the same key and input replay the first success and send nothing.",
  })
  idempotencyKey?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}
