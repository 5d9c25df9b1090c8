import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Timestamps are stored as integer milliseconds since the epoch (UTC). */
const timestamp = (name: string) => integer(name, { mode: "number" });

export const tenants = sqliteTable("tenants", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  uuid: text("uuid").notNull().unique(),
  name: text("name").notNull(),
  type: text("type"),
  status: text("status", { enum: ["active", "disabled"] })
    .notNull()
    .default("active"),
  icon: text("icon"),
  createdAt: timestamp("created_at").notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uuid: text("uuid").notNull().unique(),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Stored lower-cased; unique within a tenant. */
    email: text("email"),
    role: text("role", { enum: ["admin", "member"] })
      .notNull()
      .default("member"),
    kind: text("kind", { enum: ["human", "service_account"] })
      .notNull()
      .default("human"),
    emailVerifiedAt: timestamp("email_verified_at"),
    icon: text("icon"),
    lastLoginAt: timestamp("last_login_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_tenant_email_uq").on(t.tenantId, t.email),
    index("users_tenant_id_idx").on(t.tenantId, t.id),
  ],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 of the key, hex. The key itself is never stored. */
    keyHash: text("key_hash").notNull().unique(),
    /** First characters of the key, so an operator can tell keys apart. */
    prefix: text("prefix").notNull(),
    name: text("name"),
    createdAt: timestamp("created_at").notNull(),
    lastUsedAt: timestamp("last_used_at"),
    revokedAt: timestamp("revoked_at"),
  },
  (t) => [index("api_keys_user_idx").on(t.userId)],
);

export const invitations = sqliteTable(
  "invitations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uuid: text("uuid").notNull().unique(),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    inviterId: integer("inviter_id").references(() => users.id, { onDelete: "set null" }),
    /** Stored state; EXPIRED is derived from `expiresAt` and never stored. */
    status: text("status", { enum: ["pending", "accepted", "revoked"] })
      .notNull()
      .default("pending"),
    /** SHA-256 of the current token, hex; null once the invitation is accepted or revoked. */
    tokenHash: text("token_hash").unique(),
    sendCount: integer("send_count").notNull().default(0),
    lastSentAt: timestamp("last_sent_at"),
    expiresAt: timestamp("expires_at").notNull(),
    acceptedAt: timestamp("accepted_at"),
    revokedAt: timestamp("revoked_at"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [
    index("invitations_tenant_user_idx").on(t.tenantId, t.userId, t.status, t.createdAt),
    index("invitations_tenant_status_idx").on(t.tenantId, t.status, t.id),
    // A page of all the tenant's invitations, newest first, walks this and stops after the page.
    index("invitations_tenant_id_idx").on(t.tenantId, t.id),
  ],
);

export const emailOutbox = sqliteTable(
  "email_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    invitationId: integer("invitation_id").references(() => invitations.id, { onDelete: "cascade" }),
    /** The invitation token hash this email carries a link for: a later resend makes the email stale. */
    tokenHash: text("token_hash"),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    /** Rendered bodies; purged (set to null) once the email is delivered or given up. */
    textBody: text("text_body"),
    htmlBody: text("html_body"),
    status: text("status", { enum: ["queued", "sending", "sent", "failed", "cancelled"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at").notNull(),
    leaseUntil: timestamp("lease_until"),
    lastError: text("last_error"),
    messageId: text("message_id"),
    createdAt: timestamp("created_at").notNull(),
    sentAt: timestamp("sent_at"),
  },
  (t) => [
    index("email_outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("email_outbox_invitation_idx").on(t.invitationId, t.id),
    // Abuse caps count a tenant's recent emails, and those to one address.
    index("email_outbox_tenant_created_idx").on(t.tenantId, t.createdAt),
    index("email_outbox_tenant_recipient_idx").on(t.tenantId, t.toAddress, t.createdAt),
  ],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: integer("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    actorUserId: integer("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    /** `SUCCESS` or the error code that answered. */
    outcome: text("outcome").notNull(),
    requestId: text("request_id"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: timestamp("created_at")
      .notNull()
      .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`),
  },
  (t) => [
    index("audit_events_tenant_idx").on(t.tenantId, t.id),
    // Pages of one action (auditEvents(action:)), newest first.
    index("audit_events_tenant_action_idx").on(t.tenantId, t.action, t.id),
  ],
);

/**
 * Results of mutations sent with an idempotency key, so a retry replays the first answer instead of
 * sending a second email. Scoped per tenant and key; rows expire after 24 hours.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    operation: text("operation").notNull(),
    /** SHA-256 of the operation and its input: the same key with another payload is refused. */
    requestHash: text("request_hash").notNull(),
    status: text("status", { enum: ["in_flight", "completed"] }).notNull(),
    /** The first answer, as JSON; never holds a token or link. */
    response: text("response"),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_tenant_key_uq").on(t.tenantId, t.key),
    index("idempotency_keys_expiry_idx").on(t.expiresAt),
  ],
);

/**
 * A tenant's webhook receiver. The signing secrets are stored encrypted (AES-256-GCM under WEBHOOK_SECRET_KEY,
 * bound to the endpoint's uuid), so a database dump alone cannot sign. During a rotation's overlap the previous
 * secret signs too, until `previousSecretExpiresAt`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uuid: text("uuid").notNull().unique(),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** The event types it receives, as `,a,b,` (commas around each, so one LIKE finds a subscriber). */
    events: text("events").notNull(),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    secretCiphertext: text("secret_ciphertext").notNull(),
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at"),
    /** When deliveries to it started failing without a success since; null while it is healthy. */
    failingSince: timestamp("failing_since"),
    disabledAt: timestamp("disabled_at"),
    disabledReason: text("disabled_reason"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_tenant_idx").on(t.tenantId, t.status)],
);

/**
 * One event for one endpoint: written in the transaction of the change it reports, delivered by the webhook
 * worker (claimed under a lease fenced by `attempts`, as the email outbox is). The payload is the event's JSON
 * (public fields only: never a token or a link).
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: integer("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    endpointId: integer("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** The Standard Webhooks `webhook-id`: one per event, the same for every endpoint and every retry. */
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: ["queued", "sending", "delivered", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at").notNull(),
    leaseUntil: timestamp("lease_until"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    /** The first characters of the last response body, nothing more. */
    responseExcerpt: text("response_excerpt"),
    createdAt: timestamp("created_at").notNull(),
    deliveredAt: timestamp("delivered_at"),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id),
  ],
);

export type TenantRow = typeof tenants.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type OutboxRow = typeof emailOutbox.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
