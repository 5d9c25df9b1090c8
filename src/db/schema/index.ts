/**
 * The schema, for both dialects. `sqliteSchema` and `postgresSchema` hold the same tables with the same
 * column names and JS types (checked at compile time by `./agreement.ts`), so one set of row types serves both.
 */
export type {
  TenantRow,
  UserRow,
  ApiKeyRow,
  InvitationRow,
  OutboxRow,
  AuditEventRow,
  IdempotencyKeyRow,
  WebhookEndpointRow,
  WebhookDeliveryRow,
} from "./sqlite.js";
export * as sqliteSchema from "./sqlite.js";
export * as postgresSchema from "./postgres.js";
