import { sql } from "drizzle-orm";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type IdempotencyKeyRow } from "../schema/index.js";
import { columnsOf, p, statement } from "../statement.js";

export interface NewIdempotencyClaim {
  readonly tenantId: number;
  readonly key: string;
  readonly operation: string;
  readonly requestHash: string;
  readonly now: number;
  readonly expiresAt: number;
}

const BY_KEY = sql`tenant_id = ${p("tenantId")} AND key = ${p("key")}`;

const find = statement<IdempotencyKeyRow>(
  "idempotency_find",
  (d) => sql`SELECT ${columnsOf(schema.idempotencyKeys)} FROM idempotency_keys WHERE ${BY_KEY}${d.forUpdate}`,
);
// ON CONFLICT: of two instances claiming one key at once, one inserts and the other sees the row.
const insertOne = statement(
  "idempotency_claim",
  sql`INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, status, created_at, expires_at)
      VALUES (${p("tenantId")}, ${p("key")}, ${p("operation")}, ${p("requestHash")}, 'in_flight', ${p("now")}, ${p("expiresAt")})
      ON CONFLICT (tenant_id, key) DO NOTHING`,
);
const reclaim = statement(
  "idempotency_reclaim",
  sql`UPDATE idempotency_keys SET created_at = ${p("now")}, expires_at = ${p("expiresAt")} WHERE ${BY_KEY}`,
);
const complete = statement(
  "idempotency_complete",
  sql`UPDATE idempotency_keys SET status = 'completed', response = ${p("response")} WHERE ${BY_KEY}`,
);
const release = statement("idempotency_release", sql`DELETE FROM idempotency_keys WHERE ${BY_KEY}`);
// Bounded, so a request never pays for a large backlog of expired keys.
const purge = statement(
  "idempotency_purge",
  sql`DELETE FROM idempotency_keys WHERE id IN
      (SELECT id FROM idempotency_keys WHERE expires_at <= ${p("now")} LIMIT 100)`,
);

export class IdempotencyRepository {
  constructor(private readonly session: SqlSession) {}

  /** The key's record, locked for the rest of the transaction (PostgreSQL). */
  findByKeyForUpdate(tenantId: number, key: string): Promise<IdempotencyKeyRow | undefined> {
    return this.session.get(find, { tenantId, key });
  }

  /** Resolves to false when the key is already recorded (claimed by someone else, maybe just now). */
  async claim(claim: NewIdempotencyClaim): Promise<boolean> {
    return (await this.session.run(insertOne, { ...claim })) > 0;
  }

  /** Takes over a claim whose holder vanished (a process that died mid-request). */
  async reclaimStale(tenantId: number, key: string, now: number, expiresAt: number): Promise<void> {
    await this.session.run(reclaim, { tenantId, key, now, expiresAt });
  }

  async markCompleted(tenantId: number, key: string, response: string): Promise<void> {
    await this.session.run(complete, { tenantId, key, response });
  }

  /** Forgets a claim whose operation was refused or failed, so the client may retry with the same key. */
  async releaseClaim(tenantId: number, key: string): Promise<void> {
    await this.session.run(release, { tenantId, key });
  }

  async purgeExpired(now: number): Promise<void> {
    await this.session.run(purge, { now });
  }
}
