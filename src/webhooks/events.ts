import type { Repositories } from "../db/store.js";
import { effectiveStatus, type InvitationDetails, type User } from "../invitations/model.js";

/** The events an endpoint may subscribe to. Names are part of the API: add new ones, never rename. */
export const WEBHOOK_EVENT_TYPES = [
  "invitation.created",
  "invitation.resent",
  "invitation.revoked",
  "invitation.accepted",
  "invitation.delivery_failed",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent to a tenant's other endpoints when one is disabled for failing; needs no subscription. */
export const ENDPOINT_DISABLED_EVENT = "webhook_endpoint.disabled";

export function isWebhookEventType(name: string): name is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name);
}

/** Who caused an event: a user (an admin's API key, or the invitee accepting), or the system itself. */
export type EventActor =
  { readonly type: "user"; readonly user: Pick<User, "id" | "uuid" | "name"> } | { readonly type: "system" };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The invitation's public fields: never its token, its hash, or a link. */
export function invitationData(details: InvitationDetails, now: number) {
  const { invitation, invitee, inviter } = details;
  return {
    id: String(invitation.id),
    uuid: invitation.uuid,
    status: effectiveStatus(invitation, now),
    email: invitee.email,
    sendCount: invitation.sendCount,
    lastSentAt: iso(invitation.lastSentAt),
    expiresAt: iso(invitation.expiresAt),
    acceptedAt: iso(invitation.acceptedAt),
    revokedAt: iso(invitation.revokedAt),
    createdAt: iso(invitation.createdAt),
    invitee: { id: String(invitee.id), uuid: invitee.uuid, name: invitee.name, email: invitee.email },
    inviter: inviter === null ? null : { id: String(inviter.id), uuid: inviter.uuid, name: inviter.name },
  };
}

function actorData(actor: EventActor) {
  switch (actor.type) {
    case "user":
      return { type: "user", id: String(actor.user.id), uuid: actor.user.uuid, name: actor.user.name };
    case "system":
      return { type: "system" };
    default: {
      const _exhaustive: never = actor;
      throw new Error(`unknown actor ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * The body of a Standard Webhooks message: `{type, timestamp, data}`. Serialized once per event, so every
 * endpoint and every retry gets the same bytes.
 */
export function eventBody(type: string, data: Record<string, unknown>, now: number): string {
  return JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
}

export interface InvitationEvent {
  readonly type: WebhookEventType;
  readonly details: InvitationDetails;
  readonly actor: EventActor;
  /** delivery_failed: why the mail server refused (its reply, never the email's content). */
  readonly reason?: string;
}

/**
 * Writes an invitation event for every subscribed endpoint of the invitation's tenant, inside the caller's
 * transaction: it commits with the change it reports, or not at all.
 */
export async function emitInvitationEvent(
  tx: Repositories,
  event: InvitationEvent,
  eventId: string,
  now: number,
): Promise<number> {
  const { tenant } = event.details;
  // Built only when an endpoint subscribes (see WebhookDeliveryRepository.enqueue).
  const body = () =>
    eventBody(
      event.type,
      {
        tenant: { id: String(tenant.id), uuid: tenant.uuid },
        invitation: invitationData(event.details, now),
        actor: actorData(event.actor),
        ...(event.reason === undefined ? {} : { reason: event.reason }),
      },
      now,
    );
  return tx.webhookDeliveries.enqueue(
    { tenantId: tenant.id, eventId: webhookMessageId(eventId), eventType: event.type, now },
    body,
  );
}

/** The `webhook-id` of an event: `msg_` and its uuid, the same for every endpoint and retry. */
export function webhookMessageId(uuid: string): string {
  return `msg_${uuid.replace(/-/g, "")}`;
}

/**
 * `invitation.delivery_failed`, written in the transaction that gives up on the invitation's email. Nothing
 * when the email belongs to no invitation (or the invitation is gone).
 */
export async function emitDeliveryFailed(
  tx: Repositories,
  email: { readonly tenantId: number; readonly invitationId: number | null },
  reason: string,
  eventId: string,
  now: number,
): Promise<number> {
  if (email.invitationId === null) return 0;
  const invitation = await tx.invitations.findInTenant(email.tenantId, { id: email.invitationId });
  const tenant = await tx.tenants.findById(email.tenantId);
  if (!invitation || !tenant) return 0;
  const invitee = await tx.users.findInTenant(tenant.id, { id: invitation.userId });
  if (!invitee) return 0;
  const inviter =
    invitation.inviterId === null
      ? null
      : ((await tx.users.findInTenant(tenant.id, { id: invitation.inviterId })) ?? null);
  return emitInvitationEvent(
    tx,
    {
      type: "invitation.delivery_failed",
      details: { invitation, invitee, inviter, tenant },
      actor: { type: "system" },
      reason,
    },
    eventId,
    now,
  );
}
