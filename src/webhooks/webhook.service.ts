import type { Actor } from "../auth/authenticator.js";
import type { WebhookEndpointRow } from "../db/schema/index.js";
import { eventsColumn } from "../db/repositories/webhook-endpoint.repository.js";
import type { Repositories } from "../db/store.js";
import type { AuthorizationResource } from "../invitations/authorization.js";
import type { CallContext, InvitationServiceDeps } from "../invitations/deps.js";
import { parseEntityRef } from "../invitations/entity-ref.js";
import { errors, type FieldError } from "../invitations/errors.js";
import { refusalDetails, type Gatekeeper } from "../invitations/gatekeeper.js";
import type { EntityRef } from "../invitations/model.js";
import { pageOf, parsePageRequest, type PageRequest } from "../invitations/pagination.js";
import { changeOrRefuse } from "../invitations/transactions.js";
import { checkHost, systemResolver, type Resolver } from "./address-guard.js";
import { eventsField, overlapField, urlField } from "./endpoint-input.js";
import { webhookErrors } from "./errors.js";
import type {
  CreateWebhookEndpointInput,
  CreateWebhookEndpointResult,
  DeleteWebhookEndpointResult,
  RedeliverWebhookResult,
  RotateWebhookSecretInput,
  RotateWebhookSecretResult,
  UpdateWebhookEndpointInput,
  UpdateWebhookEndpointResult,
  WebhookDeliveriesResult,
  WebhookEndpoint,
  WebhookEndpointsResult,
} from "./results.js";
import type { SecretBox } from "./secret-box.js";
import { generateWebhookSecret } from "./signature.js";

/** Endpoints one tenant may have. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

export interface WebhookSettings {
  /** Null when WEBHOOK_SECRET_KEY is unset: endpoints cannot be created nor their secrets rotated. */
  readonly secrets: SecretBox | null;
  /** WEBHOOK_ALLOW_PRIVATE: endpoints may resolve to loopback and private addresses. */
  readonly allowPrivate: boolean;
  readonly resolve?: Resolver;
}

/** What a webhook operation's audit record says. */
const AUDIT = {
  create: "webhook_endpoint.create",
  update: "webhook_endpoint.update",
  delete: "webhook_endpoint.delete",
  rotate: "webhook_endpoint.rotate_secret",
  redeliver: "webhook_delivery.redeliver",
} as const;

/** Webhook endpoints act on the caller's tenant: every decision's resource is that tenant. */
const ownTenant = (actor: Actor): AuthorizationResource => ({ type: "Tenant", tenant: actor.tenant });

export function endpointView(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    uuid: row.uuid,
    url: row.url,
    events: eventsColumn.read(row.events),
    status: row.status,
    failingSince: row.failingSince,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * A tenant's webhook endpoints and deliveries, for its admins (under the default policies). Each change runs in
 * one transaction with its audit record; a refusal writes only its audit record. Secrets are returned once, at
 * creation and rotation, and stored sealed.
 */
export class WebhookService {
  private readonly resolve: Resolver;

  constructor(
    private readonly deps: InvitationServiceDeps,
    private readonly gatekeeper: Gatekeeper,
    private readonly settings: WebhookSettings,
  ) {
    this.resolve = settings.resolve ?? systemResolver;
  }

  async createWebhookEndpoint(
    call: CallContext,
    input: CreateWebhookEndpointInput,
  ): Promise<CreateWebhookEndpointResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "createWebhookEndpoint",
      AUDIT.create,
      input.url.slice(0, 200),
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const { actor } = admission;
    const fieldErrors: FieldError[] = [];
    const url = urlField(input.url, ["input", "url"], fieldErrors);
    const events = eventsField(input.events, ["input", "events"], fieldErrors);
    const early =
      fieldErrors.length > 0 || url === null
        ? errors.invalidInput(fieldErrors)
        : this.settings.secrets === null
          ? webhookErrors.secretsUnavailable()
          : await this.addressRefusal(url);
    if (early) return this.refuse(call, actor, AUDIT.create, null, early);
    const secrets = this.settings.secrets!;

    return changeOrRefuse<CreateWebhookEndpointResult>(this.deps, {
      run: async (tx) => {
        await tx.tenants.lockForWrites(actor.tenant.id);
        if ((await tx.webhookEndpoints.countOfTenant(actor.tenant.id)) >= MAX_ENDPOINTS_PER_TENANT) {
          return webhookErrors.endpointLimitReached(MAX_ENDPOINTS_PER_TENANT);
        }
        const uuid = this.deps.generateUuid();
        const secret = generateWebhookSecret();
        const row = await tx.webhookEndpoints.insert({
          uuid,
          tenantId: actor.tenant.id,
          url: url!.toString(),
          events: eventsColumn.write(events),
          secretCiphertext: secrets.seal(secret, uuid),
          now: this.deps.now(),
        });
        return { kind: "CreateWebhookEndpointSuccess", endpoint: endpointView(row), secret };
      },
      isSuccess: (result) => result.kind === "CreateWebhookEndpointSuccess",
      audit: (tx, result) =>
        this.audit(tx, call, actor, AUDIT.create, result, (success) => ({
          targetId: String(success.endpoint.id),
          details: { url: success.endpoint.url, events: success.endpoint.events },
        })),
    });
  }

  async webhookEndpoints(call: CallContext): Promise<WebhookEndpointsResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "webhookEndpoints",
      "webhook_endpoint.list",
      null,
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const rows = await this.deps.store.webhookEndpoints.listOfTenant(admission.actor.tenant.id);
    return { kind: "WebhookEndpoints", endpoints: rows.map(endpointView) };
  }

  async updateWebhookEndpoint(
    call: CallContext,
    input: UpdateWebhookEndpointInput,
  ): Promise<UpdateWebhookEndpointResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "updateWebhookEndpoint",
      AUDIT.update,
      input.endpointId,
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const { actor } = admission;
    const fieldErrors: FieldError[] = [];
    const ref = refField(input.endpointId, ["input", "endpointId"], fieldErrors);
    const url = input.url == null ? null : urlField(input.url, ["input", "url"], fieldErrors);
    const events = input.events == null ? null : eventsField(input.events, ["input", "events"], fieldErrors);
    if (input.url == null && input.events == null && input.enabled == null) {
      fieldErrors.push({ path: ["input"], message: "Change at least one of url, events or enabled." });
    }
    const early =
      fieldErrors.length > 0 || ref === null
        ? errors.invalidInput(fieldErrors)
        : url === null
          ? null
          : await this.addressRefusal(url);
    if (early) return this.refuse(call, actor, AUDIT.update, input.endpointId, early);

    return changeOrRefuse<UpdateWebhookEndpointResult>(this.deps, {
      run: async (tx) => {
        const current = await tx.webhookEndpoints.findInTenant(actor.tenant.id, ref!);
        if (!current) return webhookErrors.endpointNotFound();
        const status =
          input.enabled == null
            ? current.status
            : input.enabled
              ? ("active" as const)
              : ("disabled" as const);
        const row = await tx.webhookEndpoints.update(
          current.id,
          {
            url: url?.toString() ?? current.url,
            events: events === null ? current.events : eventsColumn.write(events),
            status,
          },
          this.deps.now(),
        );
        return { kind: "UpdateWebhookEndpointSuccess", endpoint: endpointView(row) };
      },
      isSuccess: (result) => result.kind === "UpdateWebhookEndpointSuccess",
      audit: (tx, result) =>
        this.audit(tx, call, actor, AUDIT.update, result, (success) => ({
          targetId: String(success.endpoint.id),
          details: {
            url: success.endpoint.url,
            events: success.endpoint.events,
            status: success.endpoint.status,
          },
        })),
    });
  }

  async deleteWebhookEndpoint(call: CallContext, endpointId: string): Promise<DeleteWebhookEndpointResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "deleteWebhookEndpoint",
      AUDIT.delete,
      endpointId,
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const { actor } = admission;
    const fieldErrors: FieldError[] = [];
    const ref = refField(endpointId, ["input", "endpointId"], fieldErrors);
    if (ref === null)
      return this.refuse(call, actor, AUDIT.delete, endpointId, errors.invalidInput(fieldErrors));

    return changeOrRefuse<DeleteWebhookEndpointResult>(this.deps, {
      run: async (tx) => {
        const current = await tx.webhookEndpoints.findInTenant(actor.tenant.id, ref);
        if (!current) return webhookErrors.endpointNotFound();
        // Its deliveries go with it (ON DELETE CASCADE): a worker holding one finds its mark matching nothing.
        await tx.webhookEndpoints.delete(current.id);
        return { kind: "DeleteWebhookEndpointSuccess", endpointId: current.id };
      },
      isSuccess: (result) => result.kind === "DeleteWebhookEndpointSuccess",
      audit: (tx, result) =>
        this.audit(tx, call, actor, AUDIT.delete, result, (success) => ({
          targetId: String(success.endpointId),
          details: null,
        })),
    });
  }

  async rotateWebhookSecret(
    call: CallContext,
    input: RotateWebhookSecretInput,
  ): Promise<RotateWebhookSecretResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "rotateWebhookSecret",
      AUDIT.rotate,
      input.endpointId,
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const { actor } = admission;
    const fieldErrors: FieldError[] = [];
    const ref = refField(input.endpointId, ["input", "endpointId"], fieldErrors);
    const overlapHours = overlapField(input.overlapHours, ["input", "overlapHours"], fieldErrors);
    const early =
      fieldErrors.length > 0 || ref === null
        ? errors.invalidInput(fieldErrors)
        : this.settings.secrets === null
          ? webhookErrors.secretsUnavailable()
          : null;
    if (early) return this.refuse(call, actor, AUDIT.rotate, input.endpointId, early);
    const secrets = this.settings.secrets!;

    return changeOrRefuse<RotateWebhookSecretResult>(this.deps, {
      run: async (tx) => {
        const current = await tx.webhookEndpoints.findInTenant(actor.tenant.id, ref!);
        if (!current) return webhookErrors.endpointNotFound();
        const now = this.deps.now();
        const secret = generateWebhookSecret();
        // The sealed current secret moves as it is: it was sealed for this same endpoint.
        const row = await tx.webhookEndpoints.rotateSecret(
          current.id,
          {
            secretCiphertext: secrets.seal(secret, current.uuid),
            previousSecretCiphertext: overlapHours > 0 ? current.secretCiphertext : null,
            previousSecretExpiresAt: overlapHours > 0 ? now + overlapHours * 3_600_000 : null,
          },
          now,
        );
        return { kind: "RotateWebhookSecretSuccess", endpoint: endpointView(row), secret };
      },
      isSuccess: (result) => result.kind === "RotateWebhookSecretSuccess",
      audit: (tx, result) =>
        this.audit(tx, call, actor, AUDIT.rotate, result, (success) => ({
          targetId: String(success.endpoint.id),
          details: { overlapHours },
        })),
    });
  }

  async webhookDeliveries(
    call: CallContext,
    request: PageRequest & { readonly endpointId: string },
  ): Promise<WebhookDeliveriesResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "webhookDeliveries",
      "webhook_delivery.list",
      null,
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const paging = parsePageRequest(request);
    const fieldErrors: FieldError[] = paging.ok ? [] : [...paging.fieldErrors];
    const ref = refField(request.endpointId, ["endpointId"], fieldErrors);
    if (!paging.ok || ref === null || fieldErrors.length > 0) return errors.invalidInput(fieldErrors);
    const { store } = this.deps;
    const endpoint = await store.webhookEndpoints.findInTenant(admission.actor.tenant.id, ref);
    if (!endpoint) return { kind: "NotFound" };
    const page = await pageOf(
      (beforeId, limit) => store.webhookDeliveries.page(endpoint.id, beforeId, limit),
      () => store.webhookDeliveries.count(endpoint.id),
      paging.limit,
      paging.beforeId,
    );
    return { kind: "WebhookDeliveryPage", page };
  }

  async redeliverWebhook(call: CallContext, deliveryId: string): Promise<RedeliverWebhookResult> {
    const admission = await this.gatekeeper.admit(
      call,
      "redeliverWebhook",
      AUDIT.redeliver,
      deliveryId,
      ownTenant,
    );
    if (!admission.ok) return admission.error;
    const { actor } = admission;
    const fieldErrors: FieldError[] = [];
    const ref = refField(deliveryId, ["input", "deliveryId"], fieldErrors);
    if (ref === null || !("id" in ref)) {
      if (ref !== null)
        fieldErrors.push({ path: ["input", "deliveryId"], message: "Must be an integer id." });
      return this.refuse(call, actor, AUDIT.redeliver, deliveryId, errors.invalidInput(fieldErrors));
    }

    return changeOrRefuse<RedeliverWebhookResult>(this.deps, {
      run: async (tx) => {
        const delivery = await tx.webhookDeliveries.findInTenant(actor.tenant.id, ref.id);
        if (!delivery) return webhookErrors.deliveryNotFound();
        const endpoint = await tx.webhookEndpoints.findInTenant(actor.tenant.id, { id: delivery.endpointId });
        if (!endpoint) return webhookErrors.deliveryNotFound();
        if (endpoint.status !== "active") return webhookErrors.endpointDisabled();
        const copy = await tx.webhookDeliveries.copy(delivery.id, this.deps.now());
        return { kind: "RedeliverWebhookSuccess", delivery: copy };
      },
      isSuccess: (result) => result.kind === "RedeliverWebhookSuccess",
      audit: (tx, result) =>
        this.audit(tx, call, actor, AUDIT.redeliver, result, (success) => ({
          targetId: deliveryId,
          details: { newDeliveryId: success.delivery.id, eventId: success.delivery.eventId },
        })),
    });
  }

  /** Where the URL's host resolves, checked now (and again at every delivery, against DNS rebinding). */
  private async addressRefusal(url: URL) {
    const check = await checkHost(url.hostname, this.settings.allowPrivate, this.resolve);
    return check.ok ? null : webhookErrors.urlNotAllowed(check.reason);
  }

  /** A refusal before any write: recorded on its own, then returned. */
  private async refuse<E extends { readonly kind: string; readonly code: string }>(
    call: CallContext,
    actor: Actor,
    action: string,
    targetId: string | null,
    refusal: E,
  ): Promise<E> {
    await this.gatekeeper.audit(this.deps.store, call, actor, {
      action,
      targetType: targetTypeOf(action),
      targetId,
      outcome: refusal.code,
      details: refusalDetails(refusal),
    });
    return refusal;
  }

  private audit<R extends { readonly kind: string }>(
    tx: Repositories,
    call: CallContext,
    actor: Actor,
    action: string,
    result: R,
    describe: (success: Extract<R, { kind: `${string}Success` }>) => {
      targetId: string;
      details: Record<string, unknown> | null;
    },
  ): Promise<void> {
    const success = result.kind.endsWith("Success");
    const described = success ? describe(result as Extract<R, { kind: `${string}Success` }>) : null;
    return this.gatekeeper.audit(tx, call, actor, {
      action,
      targetType: targetTypeOf(action),
      targetId: described?.targetId ?? null,
      outcome: success ? "SUCCESS" : (result as unknown as { code: string }).code,
      details: described?.details ?? refusalDetails(result),
    });
  }
}

/** `webhook_endpoint.create` acts on a webhook_endpoint, `webhook_delivery.redeliver` on a webhook_delivery. */
const targetTypeOf = (action: string) => action.slice(0, action.indexOf("."));

/** An endpoint or delivery id as clients send it (integer id or uuid); a field error otherwise. */
function refField(raw: string, path: string[], fieldErrors: FieldError[]): EntityRef | null {
  const ref = parseEntityRef(raw);
  if (ref === null) fieldErrors.push({ path, message: "Must be a positive integer id or a UUID." });
  return ref;
}
