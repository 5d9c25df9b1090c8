import {
  createUnionType,
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from "type-graphql";
import type { Page } from "../../invitations/pagination.js";
import type {
  WebhookDelivery as DeliveryRecord,
  WebhookEndpoint as EndpointRecord,
} from "../../webhooks/results.js";
import { PageInfo } from "./connections.types.js";
import { InvalidInput, PermissionDenied, TenantMismatch, Unauthenticated } from "./user-errors.types.js";
import {
  WebhookDeliveryNotFound,
  WebhookEndpointDisabled,
  WebhookEndpointLimitReached,
  WebhookEndpointNotFound,
  WebhookSecretsUnavailable,
  WebhookUrlNotAllowed,
} from "./webhook-errors.types.js";

export enum WebhookEndpointStatus {
  ACTIVE = "ACTIVE",
  DISABLED = "DISABLED",
}
registerEnumType(WebhookEndpointStatus, {
  name: "WebhookEndpointStatus",
  description: "DISABLED: by an administrator, or by the server after a day of failed deliveries.",
});

export enum WebhookDeliveryStatus {
  QUEUED = "QUEUED",
  SENDING = "SENDING",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
}
registerEnumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description:
    "DELIVERED: the endpoint answered 2xx. FAILED: given up (retries exhausted, or endpoint disabled).",
});

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

@ObjectType({
  description:
    "Where a tenant's events are POSTed, signed (Standard Webhooks). Its secret is never shown again.",
})
export class WebhookEndpoint {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  uuid!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [String], { description: "Event types it receives, e.g. invitation.accepted." })
  events!: string[];

  @Field(() => WebhookEndpointStatus)
  status!: WebhookEndpointStatus;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: "Since when every delivery has failed; null while healthy.",
  })
  failingSince!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: "After a rotation, until when the previous secret also signs; null when only one signs.",
  })
  previousSecretExpiresAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;

  static from(endpoint: EndpointRecord): WebhookEndpoint {
    return Object.assign(new WebhookEndpoint(), {
      id: String(endpoint.id),
      uuid: endpoint.uuid,
      url: endpoint.url,
      events: [...endpoint.events],
      status: endpoint.status === "active" ? WebhookEndpointStatus.ACTIVE : WebhookEndpointStatus.DISABLED,
      failingSince: date(endpoint.failingSince),
      disabledAt: date(endpoint.disabledAt),
      disabledReason: endpoint.disabledReason,
      previousSecretExpiresAt: date(endpoint.previousSecretExpiresAt),
      createdAt: new Date(endpoint.createdAt),
      updatedAt: new Date(endpoint.updatedAt),
    });
  }
}

@ObjectType({ description: "One event for one endpoint, and what became of it." })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The webhook-id header: the same for every endpoint and every retry." })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => String, { description: "The exact JSON body sent (the signed bytes)." })
  payload!: string;

  @Field(() => Int, { description: "Attempts so far." })
  attempts!: number;

  @Field(() => Int, {
    nullable: true,
    description: "The HTTP status of the last attempt; null without response.",
  })
  responseCode!: number | null;

  @Field(() => String, { nullable: true, description: "Why the last attempt failed." })
  lastError!: string | null;

  @Field(() => String, { nullable: true, description: "The first 256 characters of the last response body." })
  responseExcerpt!: string | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: "When it is tried next; null unless QUEUED.",
  })
  nextAttemptAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deliveredAt!: Date | null;

  static from(delivery: DeliveryRecord): WebhookDelivery {
    return Object.assign(new WebhookDelivery(), {
      id: String(delivery.id),
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      status: delivery.status.toUpperCase() as WebhookDeliveryStatus,
      payload: delivery.payload,
      attempts: delivery.attempts,
      responseCode: delivery.lastStatusCode,
      lastError: delivery.lastError,
      responseExcerpt: delivery.responseExcerpt,
      nextAttemptAt: delivery.status === "queued" ? new Date(delivery.nextAttemptAt) : null,
      createdAt: new Date(delivery.createdAt),
      deliveredAt: date(delivery.deliveredAt),
    });
  }
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WebhookDelivery)
  node!: WebhookDelivery;
}

@ObjectType({ description: "An endpoint's deliveries, newest first." })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  get totalCount(): Promise<number> {
    return this.countAll();
  }

  countAll!: () => Promise<number>;

  static from(page: Page<DeliveryRecord>): WebhookDeliveryConnection {
    return Object.assign(new WebhookDeliveryConnection(), {
      edges: page.items.map((delivery, i) =>
        Object.assign(new WebhookDeliveryEdge(), {
          cursor: page.cursors[i],
          node: WebhookDelivery.from(delivery),
        }),
      ),
      pageInfo: Object.assign(new PageInfo(), {
        hasNextPage: page.hasNextPage,
        endCursor: page.cursors.at(-1) ?? null,
      }),
      countAll: page.totalCount,
    });
  }
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: "http(s) URL; must resolve to public addresses." })
  url!: string;

  @Field(() => [String], {
    description:
      "invitation.created, invitation.resent, invitation.revoked, invitation.accepted, invitation.delivery_failed.",
  })
  events!: string[];

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  events?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "false disables it; true enables it again and forgets its failures.",
  })
  enabled?: boolean | null;

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@InputType()
export class DeleteWebhookEndpointInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@InputType()
export class RotateWebhookSecretInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => Int, {
    nullable: true,
    description: "Hours the previous secret keeps signing too (0 to 168, default 24).",
  })
  overlapHours?: number | null;

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@InputType()
export class RedeliverWebhookInput {
  @Field(() => ID)
  deliveryId!: string;

  @Field(() => String, { nullable: true })
  clientMutationId?: string | null;
}

@ObjectType({ description: "The endpoint exists. Its secret is shown here once: store it now." })
export class CreateWebhookEndpointSuccess {
  @Field(() => WebhookEndpoint)
  endpoint!: WebhookEndpoint;

  @Field(() => String, { description: "whsec_…: verify signatures with it (standardwebhooks). Shown once." })
  secret!: string;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

@ObjectType()
export class UpdateWebhookEndpointSuccess {
  @Field(() => WebhookEndpoint)
  endpoint!: WebhookEndpoint;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

@ObjectType({ description: "The endpoint and its deliveries are gone." })
export class DeleteWebhookEndpointSuccess {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

@ObjectType({
  description: "A new secret signs from now on; the previous one also signs until previousSecretExpiresAt.",
})
export class RotateWebhookSecretSuccess {
  @Field(() => WebhookEndpoint)
  endpoint!: WebhookEndpoint;

  @Field(() => String, { description: "The new whsec_ secret. Shown once." })
  secret!: string;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

@ObjectType({ description: "A new delivery of the same event (same webhook-id and body) is queued." })
export class RedeliverWebhookSuccess {
  @Field(() => WebhookDelivery)
  delivery!: WebhookDelivery;

  @Field(() => String, { nullable: true })
  clientMutationId!: string | null;
}

const ACCESS = [Unauthenticated, PermissionDenied, TenantMismatch, InvalidInput] as const;

export const CreateWebhookEndpointResult = createUnionType({
  name: "CreateWebhookEndpointResult",
  types: () =>
    [
      CreateWebhookEndpointSuccess,
      ...ACCESS,
      WebhookUrlNotAllowed,
      WebhookSecretsUnavailable,
      WebhookEndpointLimitReached,
    ] as const,
});

export const UpdateWebhookEndpointResult = createUnionType({
  name: "UpdateWebhookEndpointResult",
  types: () =>
    [UpdateWebhookEndpointSuccess, ...ACCESS, WebhookEndpointNotFound, WebhookUrlNotAllowed] as const,
});

export const DeleteWebhookEndpointResult = createUnionType({
  name: "DeleteWebhookEndpointResult",
  types: () => [DeleteWebhookEndpointSuccess, ...ACCESS, WebhookEndpointNotFound] as const,
});

export const RotateWebhookSecretResult = createUnionType({
  name: "RotateWebhookSecretResult",
  types: () =>
    [RotateWebhookSecretSuccess, ...ACCESS, WebhookEndpointNotFound, WebhookSecretsUnavailable] as const,
});

export const RedeliverWebhookResult = createUnionType({
  name: "RedeliverWebhookResult",
  types: () =>
    [RedeliverWebhookSuccess, ...ACCESS, WebhookDeliveryNotFound, WebhookEndpointDisabled] as const,
});
