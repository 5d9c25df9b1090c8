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
  valuesConfig: {
    QUEUED: {
      description: "Waiting in the outbox: not tried yet, or waiting to retry after a temporary failure.",
    },
    SENDING: { description: "A mail worker has claimed it and is handing it to the mail server." },
    SENT: { description: "The mail server accepted it (which does not prove it reached the inbox)." },
    FAILED: { description: "Given up: the mail server refused it for good, or every retry failed." },
    CANCELLED: { description: "Never sent: its link died (resent, revoked or accepted) before it went out." },
  },
});

@ObjectType({
  description: "What became of the newest invitation email: why an invitation may not have arrived.",
})
export class Delivery {
  @Field(() => DeliveryStatus, { description: "Where the email is now." })
  status!: DeliveryStatus;

  @Field(() => Int, { description: "Delivery attempts so far." })
  attempts!: number;

  @Field(() => String, {
    nullable: true,
    description: "The last failure's reason, as the mail server gave it.",
  })
  lastError!: string | null;

  @Field(() => DateTimeISO, { description: "When the email was written to the outbox." })
  queuedAt!: Date;

  @Field(() => DateTimeISO, {
    nullable: true,
    description: "When the mail server accepted it; null until it is SENT.",
  })
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
