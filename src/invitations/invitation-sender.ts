import type { Actor } from "../auth/authenticator.js";
import type { Repositories } from "../db/store.js";
import { hashSecret } from "../auth/secrets.js";
import type { InvitationServiceDeps } from "./deps.js";
import { errors, type ResendRateLimited } from "./errors.js";
import type { Invitation, InvitationDetails, User } from "./model.js";
import { emitInvitationEvent } from "../webhooks/events.js";

export interface Sent {
  readonly kind: "Sent";
  readonly details: InvitationDetails;
  readonly sentTo: string;
  readonly acceptUrl: string;
}

/**
 * Sends an invitation: a new token replaces the old one (which dies at once), the lifetime restarts,
 * the send is counted and the email is queued. Creates the invitation when there is none.
 * Runs inside the caller's transaction, which holds the tenant's write lock and read `existing` under it,
 * so concurrent sends take turns.
 */
export async function sendInvitation(
  deps: InvitationServiceDeps,
  tx: Repositories,
  actor: Actor,
  invitee: User & { email: string },
  existing: Invitation | null,
): Promise<Sent | ResendRateLimited> {
  const { settings } = deps;
  const now = deps.now();

  const refusal = await sendRefusal(deps, tx, actor.tenant.id, invitee, now);
  if (refusal) return refusal;

  const token = deps.generateToken();
  const tokenHash = hashSecret(token);
  const expiresAt = now + settings.invitationTtlMs;
  let invitation: Invitation;
  if (existing) {
    await tx.outbox.cancelQueuedForInvitation(existing.id);
    invitation = await tx.invitations.rotateToken({ id: existing.id, tokenHash, expiresAt, now });
  } else {
    invitation = await tx.invitations.insert({
      uuid: deps.generateUuid(),
      tenantId: actor.tenant.id,
      userId: invitee.id,
      inviterId: actor.user.id,
      tokenHash,
      expiresAt,
      now,
    });
  }

  const inviter = await inviterOf(tx, actor, invitation.inviterId);
  const acceptUrl = `${settings.publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
  const email = deps.renderEmail({
    tenantName: actor.tenant.name,
    inviterName: (inviter ?? actor.user).name,
    inviteeName: invitee.name,
    acceptUrl,
    expiresAt,
  });
  await tx.outbox.enqueue({
    tenantId: actor.tenant.id,
    invitationId: invitation.id,
    tokenHash,
    toAddress: invitee.email,
    subject: email.subject,
    textBody: email.text,
    htmlBody: email.html,
    now,
  });
  const details = { invitation, invitee, inviter, tenant: actor.tenant };
  // Same transaction as the send: the event exists exactly when the send committed.
  await emitInvitationEvent(
    tx,
    {
      type: existing ? "invitation.resent" : "invitation.created",
      details,
      actor: { type: "user", user: actor.user },
    },
    deps.generateUuid(),
    now,
  );
  return {
    kind: "Sent",
    details,
    sentTo: invitee.email,
    acceptUrl,
  };
}

/** Usually the admin resending their own invitation, whose row the caller already holds. */
async function inviterOf(tx: Repositories, actor: Actor, inviterId: number | null): Promise<User | null> {
  if (inviterId === null) return null;
  if (inviterId === actor.user.id) return actor.user;
  return (await tx.users.findInTenant(actor.tenant.id, { id: inviterId })) ?? null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The cooldown, then the caps that keep the API from being an email cannon: counted per email queued (so
 * aliases of one invitation, or many operations in one request, all count), inside the sending transaction.
 */
async function sendRefusal(
  deps: InvitationServiceDeps,
  tx: Repositories,
  tenantId: number,
  invitee: User & { email: string },
  now: number,
): Promise<ResendRateLimited | null> {
  const { resendCooldownMs, emailCaps } = deps.settings;
  const { perTenantPerHour, perRecipientPerDay } = emailCaps;
  const checks = await tx.sendQuota.probe({
    tenantId,
    userId: invitee.id,
    toAddress: invitee.email,
    tenantWindow: { since: now - HOUR, cap: perTenantPerHour },
    recipientWindow: { since: now - DAY, cap: perRecipientPerDay },
  });
  // Per invitee, not per invitation: revoking and sending a new one must not reset the clock.
  const waitMs = checks.lastSentAt === null ? 0 : checks.lastSentAt + resendCooldownMs - now;
  if (resendCooldownMs > 0 && waitMs > 0) {
    return errors.resendRateLimited(Math.ceil(waitMs / 1000), "cooldown");
  }
  if (checks.tenant.reached) {
    return errors.resendRateLimited(
      secondsUntil(checks.tenant.oldestAt, HOUR, now),
      "tenant_hourly_cap",
      `This tenant sent ${perTenantPerHour} invitation emails in the last hour`,
    );
  }
  if (checks.recipient.reached) {
    return errors.resendRateLimited(
      secondsUntil(checks.recipient.oldestAt, DAY, now),
      "recipient_daily_cap",
      `This address received ${perRecipientPerDay} invitation emails in the last 24 hours`,
    );
  }
  return null;
}

/** When the oldest email in the window ages out and frees a slot. */
function secondsUntil(oldestAt: number, windowMs: number, now: number): number {
  return Math.max(1, Math.ceil((oldestAt + windowMs - now) / 1000));
}

/** Whether this person can be (re)invited at all; null when they can. */
export function inviteeRefusal(invitee: User) {
  if (invitee.kind === "service_account") return errors.serviceAccountNotInvitable();
  if (invitee.email === null) return errors.userHasNoEmail();
  if (invitee.emailVerifiedAt !== null) return errors.userAlreadyVerified();
  return null;
}

export function hasEmail(user: User): user is User & { email: string } {
  return user.email !== null;
}
