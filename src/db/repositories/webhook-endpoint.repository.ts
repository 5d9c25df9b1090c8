import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type WebhookEndpointRow } from "../schema/index.js";
import { columnsOf, p, statement } from "../statement.js";

export interface NewWebhookEndpoint {
  readonly uuid: string;
  readonly tenantId: number;
  readonly url: string;
  /** Stored form, `,a,b,` (see eventsColumn). */
  readonly events: string;
  readonly secretCiphertext: string;
  readonly now: number;
}

export interface EndpointChanges {
  readonly url: string;
  readonly events: string;
  readonly status: WebhookEndpointRow["status"];
}

const COLUMNS = columnsOf(schema.webhookEndpoints);

const insertOne = statement<WebhookEndpointRow>(
  "webhook_endpoint_insert",
  sql`INSERT INTO webhook_endpoints (uuid, tenant_id, url, events, status, secret_ciphertext, created_at, updated_at)
      VALUES (${p("uuid")}, ${p("tenantId")}, ${p("url")}, ${p("events")}, 'active', ${p("secretCiphertext")},
        ${p("now")}, ${p("now")})
      RETURNING ${COLUMNS}`,
);
const listOfTenant = statement<WebhookEndpointRow>(
  "webhook_endpoints_of_tenant",
  sql`SELECT ${COLUMNS} FROM webhook_endpoints WHERE tenant_id = ${p("tenantId")} ORDER BY id`,
);
const countOfTenant = statement<{ n: number }>(
  "webhook_endpoints_count",
  sql`SELECT count(*) AS "n" FROM webhook_endpoints WHERE tenant_id = ${p("tenantId")}`,
);
const byIdInTenant = statement<WebhookEndpointRow>(
  "webhook_endpoint_by_id",
  (d) =>
    sql`SELECT ${COLUMNS} FROM webhook_endpoints WHERE tenant_id = ${p("tenantId")} AND id = ${p("id")}${d.forUpdate}`,
);
const byUuidInTenant = statement<WebhookEndpointRow>(
  "webhook_endpoint_by_uuid",
  (d) =>
    sql`SELECT ${COLUMNS} FROM webhook_endpoints WHERE tenant_id = ${p("tenantId")} AND uuid = ${p("uuid")}${d.forUpdate}`,
);
const byId = statement<WebhookEndpointRow>(
  "webhook_endpoint_by_id_any_tenant",
  sql`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = ${p("id")}`,
);
// Re-enabling (status back to active) forgets the failures that disabled it.
const update = statement<WebhookEndpointRow>(
  "webhook_endpoint_update",
  sql`UPDATE webhook_endpoints SET url = ${p("url")}, events = ${p("events")}, status = ${p("status")},
        failing_since = CASE WHEN ${p("status")} = 'active' AND status = 'disabled' THEN NULL ELSE failing_since END,
        disabled_at = CASE WHEN ${p("status")} = 'active' THEN NULL ELSE coalesce(disabled_at, ${p("now")}) END,
        disabled_reason = CASE WHEN ${p("status")} = 'active' THEN NULL
          ELSE coalesce(disabled_reason, 'disabled by an administrator') END,
        updated_at = ${p("now")}
      WHERE id = ${p("id")} RETURNING ${COLUMNS}`,
);
const rotate = statement<WebhookEndpointRow>(
  "webhook_endpoint_rotate",
  sql`UPDATE webhook_endpoints SET previous_secret_ciphertext = ${p("previousSecretCiphertext")},
        previous_secret_expires_at = ${p("previousSecretExpiresAt")}, secret_ciphertext = ${p("secretCiphertext")},
        updated_at = ${p("now")}
      WHERE id = ${p("id")} RETURNING ${COLUMNS}`,
);
const deleteOne = statement(
  "webhook_endpoint_delete",
  sql`DELETE FROM webhook_endpoints WHERE id = ${p("id")}`,
);
// Fenced by status: a failure recorded after an administrator re-enabled or disabled it changes nothing here.
const markFailing = statement(
  "webhook_endpoint_mark_failing",
  sql`UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, ${p("since")})
      WHERE id = ${p("id")} AND status = 'active'`,
);
const markHealthy = statement(
  "webhook_endpoint_mark_healthy",
  sql`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ${p("id")} AND failing_since IS NOT NULL`,
);
const disable = statement<WebhookEndpointRow>(
  "webhook_endpoint_disable",
  sql`UPDATE webhook_endpoints SET status = 'disabled', disabled_at = ${p("now")}, disabled_reason = ${p("reason")},
        updated_at = ${p("now")}
      WHERE id = ${p("id")} AND status = 'active' RETURNING ${COLUMNS}`,
);

/** The event types of an endpoint as stored: each between commas, so `,type,` occurs exactly in subscribers'. */
export const eventsColumn = {
  write: (events: readonly string[]) => `,${events.join(",")},`,
  read: (stored: string) => stored.split(",").filter((event) => event !== ""),
};

/** A tenant's webhook endpoints. Reads by id take a row lock on PostgreSQL when called inside a transaction. */
export class WebhookEndpointRepository {
  constructor(private readonly session: SqlSession) {}

  async insert(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
    const row = await this.session.get(insertOne, { ...endpoint });
    if (!row) throw new Error("webhook endpoint insert returned no row");
    return row;
  }

  listOfTenant(tenantId: number): Promise<WebhookEndpointRow[]> {
    return this.session.all(listOfTenant, { tenantId });
  }

  async countOfTenant(tenantId: number): Promise<number> {
    return (await this.session.get(countOfTenant, { tenantId }))?.n ?? 0;
  }

  findInTenant(
    tenantId: number,
    ref: { readonly id: number } | { readonly uuid: string },
  ): Promise<WebhookEndpointRow | undefined> {
    return "id" in ref
      ? this.session.get(byIdInTenant, { tenantId, id: ref.id })
      : this.session.get(byUuidInTenant, { tenantId, uuid: ref.uuid });
  }

  findById(id: number): Promise<WebhookEndpointRow | undefined> {
    return this.session.get(byId, { id });
  }

  async update(id: number, changes: EndpointChanges, now: number): Promise<WebhookEndpointRow> {
    const row = await this.session.get(update, { id, ...changes, now });
    if (!row) throw new Error(`webhook endpoint ${id} vanished during its update`);
    return row;
  }

  async rotateSecret(
    id: number,
    secrets: {
      readonly secretCiphertext: string;
      readonly previousSecretCiphertext: string | null;
      readonly previousSecretExpiresAt: number | null;
    },
    now: number,
  ): Promise<WebhookEndpointRow> {
    const row = await this.session.get(rotate, { id, ...secrets, now });
    if (!row) throw new Error(`webhook endpoint ${id} vanished during its rotation`);
    return row;
  }

  async delete(id: number): Promise<void> {
    await this.session.run(deleteOne, { id });
  }

  async markFailing(id: number, since: number): Promise<void> {
    await this.session.run(markFailing, { id, since });
  }

  async markHealthy(id: number): Promise<void> {
    await this.session.run(markHealthy, { id });
  }

  /** Disables an active endpoint; undefined when it was not active (already disabled, or deleted). */
  disable(id: number, reason: string, now: number): Promise<WebhookEndpointRow | undefined> {
    return this.session.get(disable, { id, reason, now });
  }
}
