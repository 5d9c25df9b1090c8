import { createUnionType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeISO } from "./date-time.scalar.js";
import type { Page } from "../../invitations/pagination.js";
import type {
  WebhookDelivery as DeliveryRecord,
  WebhookEndpoint as EndpointRecord,
} from "../../webhooks/results.js";
import { PageInfo, pageInfoOf } from "./connections.types.js";
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
  valuesConfig: {
    ACTIVE: { description: "Receives the events it subscribes to, and webhook_endpoint.disabled." },
    DISABLED: {
      description: "Receives nothing and its queued deliveries fail; updateWebhookEndpoint re-enables it.",
    },
  },
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
  valuesConfig: {
    QUEUED: { description: "Waiting for its next attempt, at nextAttemptAt." },
    SENDING: { description: "An attempt is under way; if it is cut short, the delivery is tried again." },
    DELIVERED: { description: "The endpoint answered an attempt with a 2xx status; no more attempts." },
    FAILED: { description: "Given up: its attempts ran out, or its endpoint was disabled." },
  },
});

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

@ObjectType({
  description:
    "Where a tenant's events are POSTed, signed (Standard Webhooks). Its secret is never shown again.",
})
export class WebhookEndpoint {
  @Field(() => ID, {
    description: "The integer id; arguments taking an endpoint id accept it or the uuid.",
  })
  id!: string;

  @Field(() => String, { description: "The stable public id, accepted wherever an endpoint id is." })
  uuid!: string;

  @Field(() => String, { description: "The http(s) URL its events are POSTed to." })
  url!: string;

  @Field(() => [String], { description: "Event types it receives, e.g. invitation.accepted." })
  events!: string[];

  @Field(() => WebhookEndpointStatus, { description: "Whether it receives deliveries." })
  status!: WebhookEndpointStatus;

  @Field(() => DateTimeISO, {
    nullable: true,
    description: "Since when every delivery has failed; null while healthy.",
  })
  failingSince!: Date | null;

  @Field(() => DateTimeISO, { nullable: true, description: "When it was disabled; null while ACTIVE." })
  disabledAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Why it was disabled: by an administrator, or for how long every delivery failed; null while ACTIVE.",
  })
  disabledReason!: string | null;

  @Field(() => DateTimeISO, {
    nullable: true,
    description: "After a rotation, until when the previous secret also signs; null when only one signs.",
  })
  previousSecretExpiresAt!: Date | null;

  @Field(() => DateTimeISO, { description: "When the endpoint was created." })
  createdAt!: Date;

  @Field(() => DateTimeISO, { description: "When its URL, events, status or secret last changed." })
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
  @Field(() => ID, { description: "The delivery's integer id: pass it to redeliverWebhook." })
  id!: string;

  @Field(() => String, { description: "The webhook-id header: the same for every endpoint and every retry." })
  eventId!: string;

  @Field(() => String, {
    description: "The event's type (the body's type), e.g. invitation.accepted or webhook_endpoint.disabled.",
  })
  eventType!: string;

  @Field(() => WebhookDeliveryStatus, {
    description: "Where it is: waiting, being sent, delivered or given up.",
  })
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

  @Field(() => DateTimeISO, {
    nullable: true,
    description: "When it is tried next; null unless QUEUED.",
  })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeISO, { description: "When it was queued: a redelivery's is when it was asked for." })
  createdAt!: Date;

  @Field(() => DateTimeISO, {
    nullable: true,
    description: "When the endpoint answered 2xx; null unless DELIVERED.",
  })
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

@ObjectType({ description: "One webhook delivery of a page, with its place in the list." })
export class WebhookDeliveryEdge {
  @Field(() => String, { description: "Opaque: pass as `after` to continue after this delivery." })
  cursor!: string;

  @Field(() => WebhookDelivery, { description: "The delivery." })
  node!: WebhookDelivery;
}

@ObjectType({ description: "An endpoint's deliveries, newest first." })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge], { description: "This page's deliveries, newest first." })
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo, { description: "Whether pages come before or after this one, and its cursors." })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "The endpoint's deliveries across all pages." })
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
      pageInfo: pageInfoOf(page),
      countAll: page.totalCount,
    });
  }
}

@InputType({ description: "Where to POST which events of the caller's tenant." })
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: "http(s) URL; must resolve to public addresses." })
  url!: string;

  @Field(() => [String], {
    description:
      "invitation.created, invitation.resent, invitation.revoked, invitation.accepted, invitation.delivery_failed.",
  })
  events!: string[];

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@InputType({ description: "Which endpoint to change, and at least one of url, events and enabled." })
export class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: "The endpoint's integer id or uuid." })
  endpointId!: string;

  @Field(() => String, {
    nullable: true,
    description: "A new http(s) URL, which must resolve to public addresses; unchanged when omitted.",
  })
  url?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "The event types it receives from now on, replacing the current ones; unchanged when omitted.",
  })
  events?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "false disables it; true enables it again and forgets its failures.",
  })
  enabled?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@InputType({ description: "Which webhook endpoint to delete." })
export class DeleteWebhookEndpointInput {
  @Field(() => ID, { description: "The endpoint's integer id or uuid." })
  endpointId!: string;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@InputType({ description: "Which endpoint gets a new secret, and how long its previous one keeps signing." })
export class RotateWebhookSecretInput {
  @Field(() => ID, { description: "The endpoint's integer id or uuid." })
  endpointId!: string;

  @Field(() => Int, {
    nullable: true,
    description: "Hours the previous secret keeps signing too (0 to 168, default 24).",
  })
  overlapHours?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@InputType({ description: "Which delivery's event to send again." })
export class RedeliverWebhookInput {
  @Field(() => ID, { description: "The delivery's integer id; its endpoint must be ACTIVE." })
  deliveryId!: string;

  @Field(() => String, {
    nullable: true,
    description: "Echoed back in the success payload (Relay convention).",
  })
  clientMutationId?: string | null;
}

@ObjectType({ description: "The endpoint exists. Its secret is shown here once: store it now." })
export class CreateWebhookEndpointSuccess {
  @Field(() => WebhookEndpoint, { description: "The new endpoint, ACTIVE." })
  endpoint!: WebhookEndpoint;

  @Field(() => String, { description: "whsec_…: verify signatures with it (standardwebhooks). Shown once." })
  secret!: string;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

@ObjectType({ description: "The endpoint now has the URL, events and status asked for." })
export class UpdateWebhookEndpointSuccess {
  @Field(() => WebhookEndpoint, { description: "The endpoint, as changed." })
  endpoint!: WebhookEndpoint;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

@ObjectType({ description: "The endpoint and its deliveries are gone." })
export class DeleteWebhookEndpointSuccess {
  @Field(() => ID, { description: "The deleted endpoint's integer id." })
  endpointId!: string;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

@ObjectType({
  description: "A new secret signs from now on; the previous one also signs until previousSecretExpiresAt.",
})
export class RotateWebhookSecretSuccess {
  @Field(() => WebhookEndpoint, {
    description: "The endpoint, with previousSecretExpiresAt (null when overlapHours was 0).",
  })
  endpoint!: WebhookEndpoint;

  @Field(() => String, { description: "The new whsec_ secret. Shown once." })
  secret!: string;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

@ObjectType({ description: "A new delivery of the same event (same webhook-id and body) is queued." })
export class RedeliverWebhookSuccess {
  @Field(() => WebhookDelivery, { description: "The new delivery, QUEUED with no attempts yet." })
  delivery!: WebhookDelivery;

  @Field(() => String, {
    nullable: true,
    description: "The input's clientMutationId, echoed back; null without one.",
  })
  clientMutationId!: string | null;
}

const ACCESS = [Unauthenticated, PermissionDenied, TenantMismatch, InvalidInput] as const;

export const CreateWebhookEndpointResult = createUnionType({
  name: "CreateWebhookEndpointResult",
  description: "The outcome of createWebhookEndpoint: success or one of the documented refusals.",
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
  description: "The outcome of updateWebhookEndpoint: success or one of the documented refusals.",
  types: () =>
    [UpdateWebhookEndpointSuccess, ...ACCESS, WebhookEndpointNotFound, WebhookUrlNotAllowed] as const,
});

export const DeleteWebhookEndpointResult = createUnionType({
  name: "DeleteWebhookEndpointResult",
  description: "The outcome of deleteWebhookEndpoint: success or one of the documented refusals.",
  types: () => [DeleteWebhookEndpointSuccess, ...ACCESS, WebhookEndpointNotFound] as const,
});

export const RotateWebhookSecretResult = createUnionType({
  name: "RotateWebhookSecretResult",
  description: "The outcome of rotateWebhookSecret: success or one of the documented refusals.",
  types: () =>
    [RotateWebhookSecretSuccess, ...ACCESS, WebhookEndpointNotFound, WebhookSecretsUnavailable] as const,
});

export const RedeliverWebhookResult = createUnionType({
  name: "RedeliverWebhookResult",
  description: "The outcome of redeliverWebhook: success or one of the documented refusals.",
  types: () =>
    [RedeliverWebhookSuccess, ...ACCESS, WebhookDeliveryNotFound, WebhookEndpointDisabled] as const,
});
