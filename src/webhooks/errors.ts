import { ErrorCode, type ErrorResultOf } from "../invitations/errors.js";

export type WebhookEndpointNotFound = ErrorResultOf<"WebhookEndpointNotFound", "WEBHOOK_ENDPOINT_NOT_FOUND">;
export type WebhookDeliveryNotFound = ErrorResultOf<"WebhookDeliveryNotFound", "WEBHOOK_DELIVERY_NOT_FOUND">;
export type WebhookUrlNotAllowed = ErrorResultOf<"WebhookUrlNotAllowed", "WEBHOOK_URL_NOT_ALLOWED">;
export type WebhookSecretsUnavailable = ErrorResultOf<
  "WebhookSecretsUnavailable",
  "WEBHOOK_SECRETS_UNAVAILABLE"
>;
export type WebhookEndpointLimitReached = ErrorResultOf<
  "WebhookEndpointLimitReached",
  "WEBHOOK_ENDPOINT_LIMIT_REACHED"
> & { readonly limit: number };
export type WebhookEndpointDisabled = ErrorResultOf<"WebhookEndpointDisabled", "WEBHOOK_ENDPOINT_DISABLED">;

export const webhookErrors = {
  // Same words for an unknown id and another tenant's: nothing leaks.
  endpointNotFound: (): WebhookEndpointNotFound => ({
    kind: "WebhookEndpointNotFound",
    code: ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND,
    message: "No webhook endpoint with this id exists in your tenant.",
  }),
  deliveryNotFound: (): WebhookDeliveryNotFound => ({
    kind: "WebhookDeliveryNotFound",
    code: ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND,
    message: "No webhook delivery with this id exists in your tenant.",
  }),
  urlNotAllowed: (reason: string): WebhookUrlNotAllowed => ({
    kind: "WebhookUrlNotAllowed",
    code: ErrorCode.WEBHOOK_URL_NOT_ALLOWED,
    message: `The endpoint URL is refused: ${reason}.`,
  }),
  secretsUnavailable: (): WebhookSecretsUnavailable => ({
    kind: "WebhookSecretsUnavailable",
    code: ErrorCode.WEBHOOK_SECRETS_UNAVAILABLE,
    message:
      "Webhook secrets cannot be stored: the server has no WEBHOOK_SECRET_KEY. Ask its operator to set one.",
  }),
  endpointLimitReached: (limit: number): WebhookEndpointLimitReached => ({
    kind: "WebhookEndpointLimitReached",
    code: ErrorCode.WEBHOOK_ENDPOINT_LIMIT_REACHED,
    message: `A tenant may have at most ${limit} webhook endpoints; delete one first.`,
    limit,
  }),
  endpointDisabled: (): WebhookEndpointDisabled => ({
    kind: "WebhookEndpointDisabled",
    code: ErrorCode.WEBHOOK_ENDPOINT_DISABLED,
    message: "The endpoint is disabled; enable it (updateWebhookEndpoint) before redelivering to it.",
  }),
};
