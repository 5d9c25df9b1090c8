import type { WebhookDeliveryRow, WebhookEndpointRow } from "../db/schema/index.js";
import type { AccessError, InvalidInput } from "../invitations/errors.js";
import type { Page } from "../invitations/pagination.js";
import type {
  WebhookDeliveryNotFound,
  WebhookEndpointDisabled,
  WebhookEndpointLimitReached,
  WebhookEndpointNotFound,
  WebhookSecretsUnavailable,
  WebhookUrlNotAllowed,
} from "./errors.js";

/** An endpoint as callers see it: never its secrets, sealed or not. */
export interface WebhookEndpoint {
  readonly id: number;
  readonly uuid: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly status: WebhookEndpointRow["status"];
  readonly failingSince: number | null;
  readonly disabledAt: number | null;
  readonly disabledReason: string | null;
  /** Until when the previous secret still signs (a rotation's overlap); null when only one secret signs. */
  readonly previousSecretExpiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type WebhookDelivery = WebhookDeliveryRow;

export interface CreateWebhookEndpointInput {
  readonly url: string;
  readonly events: readonly string[];
}

export interface UpdateWebhookEndpointInput {
  readonly endpointId: string;
  readonly url?: string | null;
  readonly events?: readonly string[] | null;
  /** False disables the endpoint; true enables it again (forgetting the failures that disabled it). */
  readonly enabled?: boolean | null;
}

export interface RotateWebhookSecretInput {
  readonly endpointId: string;
  /** How long the previous secret keeps signing too (default 24, 0 to 168). */
  readonly overlapHours?: number | null;
}

export type CreateWebhookEndpointResult =
  | {
      readonly kind: "CreateWebhookEndpointSuccess";
      readonly endpoint: WebhookEndpoint;
      readonly secret: string;
    }
  | AccessError
  | InvalidInput
  | WebhookUrlNotAllowed
  | WebhookSecretsUnavailable
  | WebhookEndpointLimitReached;

export type UpdateWebhookEndpointResult =
  | { readonly kind: "UpdateWebhookEndpointSuccess"; readonly endpoint: WebhookEndpoint }
  | AccessError
  | InvalidInput
  | WebhookEndpointNotFound
  | WebhookUrlNotAllowed;

export type DeleteWebhookEndpointResult =
  | { readonly kind: "DeleteWebhookEndpointSuccess"; readonly endpointId: number }
  | AccessError
  | InvalidInput
  | WebhookEndpointNotFound;

export type RotateWebhookSecretResult =
  | {
      readonly kind: "RotateWebhookSecretSuccess";
      readonly endpoint: WebhookEndpoint;
      readonly secret: string;
    }
  | AccessError
  | InvalidInput
  | WebhookEndpointNotFound
  | WebhookSecretsUnavailable;

export type RedeliverWebhookResult =
  | { readonly kind: "RedeliverWebhookSuccess"; readonly delivery: WebhookDelivery }
  | AccessError
  | InvalidInput
  | WebhookDeliveryNotFound
  | WebhookEndpointDisabled;

export type WebhookEndpointsResult =
  { readonly kind: "WebhookEndpoints"; readonly endpoints: readonly WebhookEndpoint[] } | AccessError;

export type WebhookDeliveriesResult =
  | { readonly kind: "WebhookDeliveryPage"; readonly page: Page<WebhookDelivery> }
  | { readonly kind: "NotFound" }
  | AccessError
  | InvalidInput;
