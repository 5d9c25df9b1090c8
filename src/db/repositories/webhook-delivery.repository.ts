import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type WebhookDeliveryRow, type WebhookEndpointRow } from "../schema/index.js";
import { columnsOf, p, statement, type DialectSql } from "../statement.js";

export type WebhookDeliveryStatus = WebhookDeliveryRow["status"];

/** One event, to be delivered to every active endpoint of its tenant that subscribes to its type. */
export interface WebhookEventRecord {
  readonly tenantId: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: string;
  readonly now: number;
}

/** A delivery whose turn has come, with what the worker needs of its endpoint. */
export interface DueWebhookDelivery {
  readonly id: number;
  readonly tenantId: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: string;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly endpoint: Pick<
    WebhookEndpointRow,
    | "id"
    | "uuid"
    | "url"
    | "status"
    | "secretCiphertext"
    | "previousSecretCiphertext"
    | "previousSecretExpiresAt"
    | "failingSince"
  >;
}

/** One claim of one delivery: every claim increments `attempts`, and every mark names the attempt (fencing). */
export interface WebhookClaim {
  readonly id: number;
  readonly attempt: number;
}

/** What one attempt got back: the status code (null when no response came) and a short excerpt of the body. */
export interface AttemptResult {
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
}

const COLUMNS = columnsOf(schema.webhookDeliveries);

// One statement, one round trip, whether or not the tenant has endpoints (the tenant index answers "none").
// Each event type is stored between commas (eventsColumn): `,type,` occurs exactly in the subscribers' lists.
const subscribed = (d: DialectSql) => d.contains(sql`events`, p("entry"));
const fanOut = statement(
  "webhook_deliveries_fan_out",
  (
    d,
  ) => sql`INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, payload, status, attempts,
        next_attempt_at, created_at)
      SELECT tenant_id, id, ${p("eventId")}, ${p("eventType")}, ${p("payload")}, 'queued', 0, ${p("now")}, ${p("now")}
      FROM webhook_endpoints
      WHERE tenant_id = ${p("tenantId")} AND status = 'active' AND ${subscribed(d)}`,
  { signals: "webhook_deliveries" },
);
const anySubscribed = statement(
  "webhook_endpoints_any_subscribed",
  (d) => sql`SELECT 1 AS "hit" FROM webhook_endpoints
      WHERE tenant_id = ${p("tenantId")} AND status = 'active' AND ${subscribed(d)} LIMIT 1`,
);
// Events about the endpoints themselves go to every other active endpoint of the tenant, subscribed or not.
const fanOutToOthers = statement(
  "webhook_deliveries_fan_out_others",
  sql`INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, payload, status, attempts,
        next_attempt_at, created_at)
      SELECT tenant_id, id, ${p("eventId")}, ${p("eventType")}, ${p("payload")}, 'queued', 0, ${p("now")}, ${p("now")}
      FROM webhook_endpoints
      WHERE tenant_id = ${p("tenantId")} AND status = 'active' AND id <> ${p("exceptEndpointId")}`,
  { signals: "webhook_deliveries" },
);
const copyOne = statement<WebhookDeliveryRow>(
  "webhook_delivery_copy",
  sql`INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, payload, status, attempts,
        next_attempt_at, created_at)
      SELECT tenant_id, endpoint_id, event_id, event_type, payload, 'queued', 0, ${p("now")}, ${p("now")}
      FROM webhook_deliveries WHERE id = ${p("id")}
      RETURNING ${COLUMNS}`,
  { signals: "webhook_deliveries" },
);

const toDue = (row: Record<string, unknown>): DueWebhookDelivery => ({
  id: row.id as number,
  tenantId: row.tenantId as number,
  eventId: row.eventId as string,
  eventType: row.eventType as string,
  payload: row.payload as string,
  status: row.status as WebhookDeliveryStatus,
  attempts: row.attempts as number,
  endpoint: {
    id: row.endpointId as number,
    uuid: row.endpointUuid as string,
    url: row.endpointUrl as string,
    status: row.endpointStatus as WebhookEndpointRow["status"],
    secretCiphertext: row.secretCiphertext as string,
    previousSecretCiphertext: row.previousSecretCiphertext as string | null,
    previousSecretExpiresAt: row.previousSecretExpiresAt as number | null,
    failingSince: row.failingSince as number | null,
  },
});
// SKIP LOCKED: the workers of several instances each take a different delivery, none waits for another.
const nextDue = statement<DueWebhookDelivery>(
  "webhook_deliveries_next_due",
  (d) => sql`SELECT webhook_deliveries.id AS "id", webhook_deliveries.tenant_id AS "tenantId",
        webhook_deliveries.event_id AS "eventId", webhook_deliveries.event_type AS "eventType",
        webhook_deliveries.payload AS "payload", webhook_deliveries.status AS "status",
        webhook_deliveries.attempts AS "attempts", webhook_endpoints.id AS "endpointId",
        webhook_endpoints.uuid AS "endpointUuid", webhook_endpoints.url AS "endpointUrl",
        webhook_endpoints.status AS "endpointStatus", webhook_endpoints.secret_ciphertext AS "secretCiphertext",
        webhook_endpoints.previous_secret_ciphertext AS "previousSecretCiphertext",
        webhook_endpoints.previous_secret_expires_at AS "previousSecretExpiresAt",
        webhook_endpoints.failing_since AS "failingSince"
      FROM webhook_deliveries JOIN webhook_endpoints ON webhook_endpoints.id = webhook_deliveries.endpoint_id
      WHERE (webhook_deliveries.status = 'queued' AND webhook_deliveries.next_attempt_at <= ${p("dueBy")})
         OR (webhook_deliveries.status = 'sending' AND webhook_deliveries.lease_until <= ${p("dueBy")})
      ORDER BY webhook_deliveries.next_attempt_at, webhook_deliveries.id
      LIMIT 1${d.forUpdateSkipLocked("webhook_deliveries")}`,
  { map: toDue },
);

const CLAIMED = sql`id = ${p("id")} AND attempts = ${p("attempt")}`;
const claim = statement<{ attempts: number }>(
  "webhook_delivery_claim",
  sql`UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, lease_until = ${p("leaseUntil")}
      WHERE ${CLAIMED} AND status IN ('queued', 'sending') RETURNING attempts AS "attempts"`,
);
const markDelivered = statement(
  "webhook_delivery_mark_delivered",
  sql`UPDATE webhook_deliveries SET status = 'delivered', delivered_at = ${p("now")}, lease_until = NULL,
        last_status_code = ${p("statusCode")}, last_error = NULL, response_excerpt = ${p("responseExcerpt")}
      WHERE ${CLAIMED} AND status = 'sending'`,
);
const requeue = statement(
  "webhook_delivery_requeue",
  sql`UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = ${p("nextAttemptAt")}, lease_until = NULL,
        last_status_code = ${p("statusCode")}, last_error = ${p("error")}, response_excerpt = ${p("responseExcerpt")}
      WHERE ${CLAIMED} AND status = 'sending'`,
  { signals: "webhook_deliveries" },
);
const markFailed = statement(
  "webhook_delivery_mark_failed",
  sql`UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL, last_status_code = ${p("statusCode")},
        last_error = ${p("error")}, response_excerpt = ${p("responseExcerpt")}
      WHERE ${CLAIMED} AND status IN ('queued', 'sending')`,
);
// An endpoint disabled for failing: what still waits for it will not go.
const failWaiting = statement(
  "webhook_deliveries_fail_waiting",
  sql`UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL, last_error = ${p("error")}
      WHERE endpoint_id = ${p("endpointId")} AND status IN ('queued', 'sending')`,
);
const byIdInTenant = statement<WebhookDeliveryRow>(
  "webhook_delivery_by_id",
  sql`SELECT ${COLUMNS} FROM webhook_deliveries WHERE tenant_id = ${p("tenantId")} AND id = ${p("id")}`,
);
const pageFirst = statement<WebhookDeliveryRow>(
  "webhook_deliveries_page",
  sql`SELECT ${COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ${p("endpointId")}
      ORDER BY id DESC LIMIT ${p("limit")}`,
);
const pageAfter = statement<WebhookDeliveryRow>(
  "webhook_deliveries_page_after",
  sql`SELECT ${COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ${p("endpointId")} AND id < ${p("beforeId")}
      ORDER BY id DESC LIMIT ${p("limit")}`,
);
const countOfEndpoint = statement<{ n: number }>(
  "webhook_deliveries_count",
  sql`SELECT count(*) AS "n" FROM webhook_deliveries WHERE endpoint_id = ${p("endpointId")}`,
);
const waiting = statement<{ status: "queued" | "sending"; n: number }>(
  "webhook_deliveries_waiting_by_status",
  sql`SELECT status AS "status", count(*) AS "n" FROM webhook_deliveries
      WHERE status IN ('queued', 'sending') GROUP BY status`,
);

export class WebhookDeliveryRepository {
  constructor(private readonly session: SqlSession) {}

  /** Queues the event for every subscribed active endpoint of its tenant; resolves to how many. */
  async enqueue(event: Omit<WebhookEventRecord, "payload">, payload: () => string): Promise<number> {
    const entry = `,${event.eventType},`;
    // SQLite: most tenants subscribe to nothing, and a read says so for a third of what the empty insert costs,
    // without building the body. Nothing can subscribe in between: the transaction holds the database.
    // PostgreSQL keeps the single round trip.
    if (
      this.session.dialect === "sqlite" &&
      (await this.session.get(anySubscribed, { tenantId: event.tenantId, entry })) === undefined
    ) {
      return 0;
    }
    return this.session.run(fanOut, { ...event, payload: payload(), entry });
  }

  /** Queues the event for every active endpoint of its tenant but one, whatever they subscribe to. */
  enqueueToOthers(event: WebhookEventRecord, exceptEndpointId: number): Promise<number> {
    return this.session.run(fanOutToOthers, { ...event, exceptEndpointId });
  }

  /** A new delivery of the same event (same `webhook-id` and payload) to the same endpoint. */
  async copy(id: number, now: number): Promise<WebhookDeliveryRow> {
    const row = await this.session.get(copyOne, { id, now });
    if (!row) throw new Error(`webhook delivery ${id} vanished before its copy`);
    return row;
  }

  /** The oldest delivery due by `dueBy`; inside a transaction it stays locked, and other workers pass it by. */
  nextDue(dueBy: number): Promise<DueWebhookDelivery | undefined> {
    return this.session.get(nextDue, { dueBy });
  }

  async claim(due: DueWebhookDelivery, leaseUntil: number): Promise<WebhookClaim | null> {
    const row = await this.session.get(claim, { id: due.id, attempt: due.attempts, leaseUntil });
    return row ? { id: due.id, attempt: row.attempts } : null;
  }

  async markDelivered(ref: WebhookClaim, result: AttemptResult, now: number): Promise<boolean> {
    return (await this.session.run(markDelivered, { ...ref, ...result, now })) > 0;
  }

  async markRetry(ref: WebhookClaim, result: AttemptResult, nextAttemptAt: number): Promise<boolean> {
    return (await this.session.run(requeue, { ...ref, ...result, nextAttemptAt })) > 0;
  }

  async markFailed(ref: WebhookClaim, result: AttemptResult): Promise<boolean> {
    return (await this.session.run(markFailed, { ...ref, ...result })) > 0;
  }

  async failWaitingForEndpoint(endpointId: number, error: string): Promise<void> {
    await this.session.run(failWaiting, { endpointId, error });
  }

  findInTenant(tenantId: number, id: number): Promise<WebhookDeliveryRow | undefined> {
    return this.session.get(byIdInTenant, { tenantId, id });
  }

  /** An endpoint's deliveries, newest first, below `beforeId`. */
  page(endpointId: number, beforeId: number | null, limit: number): Promise<WebhookDeliveryRow[]> {
    return beforeId === null
      ? this.session.all(pageFirst, { endpointId, limit })
      : this.session.all(pageAfter, { endpointId, beforeId, limit });
  }

  async count(endpointId: number): Promise<number> {
    return (await this.session.get(countOfEndpoint, { endpointId }))?.n ?? 0;
  }

  async countWaiting(): Promise<Record<"queued" | "sending", number>> {
    const depth = { queued: 0, sending: 0 };
    for (const row of await this.session.all(waiting)) depth[row.status] = row.n;
    return depth;
  }
}
