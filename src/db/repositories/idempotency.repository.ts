import { and, eq, lte, sql } from "drizzle-orm";
import type { Db } from "../connection.js";
import { param } from "../placeholders.js";
import { idempotencyKeys, type IdempotencyKeyRow } from "../schema.js";

export interface NewIdempotencyClaim {
  readonly tenantId: number;
  readonly key: string;
  readonly operation: string;
  readonly requestHash: string;
  readonly now: number;
  readonly expiresAt: number;
}

export class IdempotencyRepository {
  private readonly find;
  private readonly insertOne;
  private readonly reclaim;
  private readonly complete;
  private readonly release;
  private readonly purge;

  constructor(db: Db) {
    const tenantId = sql.placeholder("tenantId");
    const key = sql.placeholder("key");
    const byKey = and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key));
    this.find = db.select().from(idempotencyKeys).where(byKey).prepare();
    this.insertOne = db
      .insert(idempotencyKeys)
      .values({
        tenantId,
        key,
        operation: sql.placeholder("operation"),
        requestHash: sql.placeholder("requestHash"),
        status: "in_flight",
        createdAt: sql.placeholder("now"),
        expiresAt: sql.placeholder("expiresAt"),
      })
      .prepare();
    this.reclaim = db
      .update(idempotencyKeys)
      .set({ createdAt: param("now"), expiresAt: param("expiresAt") })
      .where(byKey)
      .prepare();
    this.complete = db
      .update(idempotencyKeys)
      .set({ status: "completed", response: param("response") })
      .where(byKey)
      .prepare();
    this.release = db.delete(idempotencyKeys).where(byKey).prepare();
    // Bounded, so a request never pays for a large backlog of expired keys.
    this.purge = db
      .delete(idempotencyKeys)
      .where(
        sql`${idempotencyKeys.id} IN (SELECT ${idempotencyKeys.id} FROM ${idempotencyKeys} WHERE ${lte(idempotencyKeys.expiresAt, sql.placeholder("now"))} LIMIT 100)`,
      )
      .prepare();
  }

  findByKey(tenantId: number, key: string): IdempotencyKeyRow | undefined {
    return this.find.get({ tenantId, key });
  }

  claim(claim: NewIdempotencyClaim): void {
    this.insertOne.run({ ...claim });
  }

  /** Takes over a claim whose holder vanished (a process that died mid-request). */
  reclaimStale(tenantId: number, key: string, now: number, expiresAt: number): void {
    this.reclaim.run({ tenantId, key, now, expiresAt });
  }

  markCompleted(tenantId: number, key: string, response: string): void {
    this.complete.run({ tenantId, key, response });
  }

  /** Forgets a claim whose operation was refused or failed, so the client may retry with the same key. */
  releaseClaim(tenantId: number, key: string): void {
    this.release.run({ tenantId, key });
  }

  purgeExpired(now: number): void {
    this.purge.run({ now });
  }
}
