import { Field, Int, ObjectType } from "type-graphql";
import type * as Domain from "../../webhooks/errors.js";
import type { ErrorCode } from "./enums.js";
import { UserError } from "./user-error.interface.js";
import { toUserError } from "./user-errors.types.js";
import type * as Invitations from "../../invitations/errors.js";

@ObjectType({ implements: UserError, description: "No such webhook endpoint in the caller's tenant. (404)" })
export class WebhookEndpointNotFound extends UserError {}

@ObjectType({ implements: UserError, description: "No such webhook delivery in the caller's tenant. (404)" })
export class WebhookDeliveryNotFound extends UserError {}

@ObjectType({
  implements: UserError,
  description:
    "The endpoint URL resolves to a loopback, private, link-local or reserved address (or does not resolve).",
})
export class WebhookUrlNotAllowed extends UserError {}

@ObjectType({
  implements: UserError,
  description: "The server has no WEBHOOK_SECRET_KEY, so it cannot store signing secrets. (503)",
})
export class WebhookSecretsUnavailable extends UserError {}

@ObjectType({ implements: UserError, description: "The tenant has as many endpoints as it may. (422)" })
export class WebhookEndpointLimitReached extends UserError {
  @Field(() => Int, { description: "The most webhook endpoints a tenant may have." })
  limit!: number;
}

@ObjectType({ implements: UserError, description: "The endpoint is disabled; enable it first. (409)" })
export class WebhookEndpointDisabled extends UserError {}

type WebhookError =
  | Domain.WebhookEndpointNotFound
  | Domain.WebhookDeliveryNotFound
  | Domain.WebhookUrlNotAllowed
  | Domain.WebhookSecretsUnavailable
  | Domain.WebhookEndpointLimitReached
  | Domain.WebhookEndpointDisabled;

/** The GraphQL object for a webhook operation's refusal. Exhaustive, as toUserError is. */
export function toWebhookError(
  error: WebhookError | Invitations.AccessError | Invitations.InvalidInput,
): UserError {
  const base = { code: error.code as ErrorCode, message: error.message };
  switch (error.kind) {
    case "WebhookEndpointNotFound":
      return Object.assign(new WebhookEndpointNotFound(), base);
    case "WebhookDeliveryNotFound":
      return Object.assign(new WebhookDeliveryNotFound(), base);
    case "WebhookUrlNotAllowed":
      return Object.assign(new WebhookUrlNotAllowed(), base);
    case "WebhookSecretsUnavailable":
      return Object.assign(new WebhookSecretsUnavailable(), base);
    case "WebhookEndpointLimitReached":
      return Object.assign(new WebhookEndpointLimitReached(), base, { limit: error.limit });
    case "WebhookEndpointDisabled":
      return Object.assign(new WebhookEndpointDisabled(), base);
    case "Unauthenticated":
    case "TenantMismatch":
    case "PermissionDenied":
    case "InvalidInput":
      return toUserError(error);
    default: {
      const _exhaustive: never = error;
      throw new Error(`unmapped error ${JSON.stringify(_exhaustive)}`);
    }
  }
}
