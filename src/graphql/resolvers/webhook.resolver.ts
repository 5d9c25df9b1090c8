import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { queryRefusal } from "../query-errors.js";
import { toWebhookError } from "../types/webhook-errors.types.js";
import {
  CreateWebhookEndpointInput,
  CreateWebhookEndpointResult,
  CreateWebhookEndpointSuccess,
  DeleteWebhookEndpointInput,
  DeleteWebhookEndpointResult,
  DeleteWebhookEndpointSuccess,
  RedeliverWebhookInput,
  RedeliverWebhookResult,
  RedeliverWebhookSuccess,
  RotateWebhookSecretInput,
  RotateWebhookSecretResult,
  RotateWebhookSecretSuccess,
  UpdateWebhookEndpointInput,
  UpdateWebhookEndpointResult,
  UpdateWebhookEndpointSuccess,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookEndpoint,
} from "../types/webhook.types.js";

/** A tenant's webhooks, for its admins. Each resolver maps one WebhookService result, nothing more. */
@Resolver()
export class WebhookResolver {
  @Query(() => [WebhookEndpoint], { description: "The tenant's webhook endpoints, oldest first." })
  async webhookEndpoints(@Ctx() { webhooks, call }: GraphQLContext): Promise<WebhookEndpoint[]> {
    const result = await webhooks.webhookEndpoints(call);
    if (result.kind !== "WebhookEndpoints") throw queryRefusal(result);
    return result.endpoints.map((endpoint) => WebhookEndpoint.from(endpoint));
  }

  @Query(() => WebhookDeliveryConnection, {
    nullable: true,
    description:
      "An endpoint's deliveries, newest first; null when the endpoint is absent or another tenant's.",
  })
  async webhookDeliveries(
    @Ctx() { webhooks, call }: GraphQLContext,
    @Arg("endpointId", () => ID, { description: "The endpoint's integer id or uuid." }) endpointId: string,
    @Arg("first", () => Int, { nullable: true, description: "Page size: 1 to 100, default 20." })
    first?: number | null,
    @Arg("after", () => String, {
      nullable: true,
      description: "A cursor from an earlier page (its endCursor): the page starts after it.",
    })
    after?: string | null,
  ): Promise<WebhookDeliveryConnection | null> {
    const result = await webhooks.webhookDeliveries(call, { endpointId, first, after });
    switch (result.kind) {
      case "WebhookDeliveryPage":
        return WebhookDeliveryConnection.from(result.page);
      case "NotFound":
        return null;
      case "Unauthenticated":
      case "TenantMismatch":
      case "PermissionDenied":
      case "InvalidInput":
        throw queryRefusal(result);
      default: {
        const _exhaustive: never = result;
        throw new Error(`unhandled result ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  @Mutation(() => CreateWebhookEndpointResult, {
    description: "Adds an endpoint receiving the named events; returns its signing secret, once.",
  })
  async createWebhookEndpoint(
    @Arg("input", () => CreateWebhookEndpointInput, {
      description: "The URL to POST to, and the event types to send it.",
    })
    input: CreateWebhookEndpointInput,
    @Ctx() { webhooks, call }: GraphQLContext,
  ): Promise<typeof CreateWebhookEndpointResult> {
    const result = await webhooks.createWebhookEndpoint(call, { url: input.url, events: input.events });
    if (result.kind !== "CreateWebhookEndpointSuccess") return toWebhookError(result);
    return Object.assign(new CreateWebhookEndpointSuccess(), {
      endpoint: WebhookEndpoint.from(result.endpoint),
      secret: result.secret,
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Mutation(() => UpdateWebhookEndpointResult, {
    description: "Changes an endpoint's URL or events, or disables / re-enables it.",
  })
  async updateWebhookEndpoint(
    @Arg("input", () => UpdateWebhookEndpointInput, {
      description: "The endpoint, and its new URL, events or enabled state.",
    })
    input: UpdateWebhookEndpointInput,
    @Ctx() { webhooks, call }: GraphQLContext,
  ): Promise<typeof UpdateWebhookEndpointResult> {
    const result = await webhooks.updateWebhookEndpoint(call, {
      endpointId: input.endpointId,
      url: input.url,
      events: input.events,
      enabled: input.enabled,
    });
    if (result.kind !== "UpdateWebhookEndpointSuccess") return toWebhookError(result);
    return Object.assign(new UpdateWebhookEndpointSuccess(), {
      endpoint: WebhookEndpoint.from(result.endpoint),
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Mutation(() => DeleteWebhookEndpointResult, { description: "Deletes an endpoint and its deliveries." })
  async deleteWebhookEndpoint(
    @Arg("input", () => DeleteWebhookEndpointInput, { description: "The endpoint to delete." })
    input: DeleteWebhookEndpointInput,
    @Ctx() { webhooks, call }: GraphQLContext,
  ): Promise<typeof DeleteWebhookEndpointResult> {
    const result = await webhooks.deleteWebhookEndpoint(call, input.endpointId);
    if (result.kind !== "DeleteWebhookEndpointSuccess") return toWebhookError(result);
    return Object.assign(new DeleteWebhookEndpointSuccess(), {
      endpointId: String(result.endpointId),
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Mutation(() => RotateWebhookSecretResult, {
    description: "A new signing secret (shown once); the previous one keeps signing for the overlap.",
  })
  async rotateWebhookSecret(
    @Arg("input", () => RotateWebhookSecretInput, {
      description: "The endpoint, and how long its previous secret keeps signing.",
    })
    input: RotateWebhookSecretInput,
    @Ctx() { webhooks, call }: GraphQLContext,
  ): Promise<typeof RotateWebhookSecretResult> {
    const result = await webhooks.rotateWebhookSecret(call, {
      endpointId: input.endpointId,
      overlapHours: input.overlapHours,
    });
    if (result.kind !== "RotateWebhookSecretSuccess") return toWebhookError(result);
    return Object.assign(new RotateWebhookSecretSuccess(), {
      endpoint: WebhookEndpoint.from(result.endpoint),
      secret: result.secret,
      clientMutationId: input.clientMutationId ?? null,
    });
  }

  @Mutation(() => RedeliverWebhookResult, {
    description: "Queues the delivery's event again for its endpoint (same webhook-id and body).",
  })
  async redeliverWebhook(
    @Arg("input", () => RedeliverWebhookInput, { description: "The delivery whose event to send again." })
    input: RedeliverWebhookInput,
    @Ctx() { webhooks, call }: GraphQLContext,
  ): Promise<typeof RedeliverWebhookResult> {
    const result = await webhooks.redeliverWebhook(call, input.deliveryId);
    if (result.kind !== "RedeliverWebhookSuccess") return toWebhookError(result);
    return Object.assign(new RedeliverWebhookSuccess(), {
      delivery: WebhookDelivery.from(result.delivery),
      clientMutationId: input.clientMutationId ?? null,
    });
  }
}
