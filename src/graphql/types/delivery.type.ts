import { DateTimeISO } from "./date-time.scalar.js";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { LatestDelivery } from "../../db/repositories/outbox.repository.js";

export enum DeliveryStatus {
  QUEUED = "QUEUED",
  SENDING = "SENDING",
  SENT = "SENT",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}
registerEnumType(DeliveryStatus, {
  name: "DeliveryStatus",
  description:
    "SENT means the mail server accepted it; CANCELLED, that its link died (resent, revoked, accepted) first.",
});

@ObjectType({
  description: "What became of the newest invitation email: why an invitation may not have arrived.",
})
export class Delivery {
  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => Int, { description: "Delivery attempts so far." })
  attempts!: number;

  @Field(() => String, {
    nullable: true,
    description: "The last failure's reason, as the mail server gave it.",
  })
  lastError!: string | null;

  @Field(() => DateTimeISO)
  queuedAt!: Date;

  @Field(() => DateTimeISO, { nullable: true })
  deliveredAt!: Date | null;

  static from(delivery: LatestDelivery): Delivery {
    return Object.assign(new Delivery(), {
      status: delivery.status.toUpperCase() as DeliveryStatus,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
      queuedAt: new Date(delivery.createdAt),
      deliveredAt: delivery.deliveredAt === null ? null : new Date(delivery.deliveredAt),
    });
  }
}
