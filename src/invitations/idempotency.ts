import { hashSecret } from "../auth/secrets.js";
import type { InvitationServiceDeps } from "./deps.js";
import { errors, type FieldError, type IdempotencyKeyInUse, type IdempotencyKeyReused } from "./errors.js";
import { changeOrRefuse, type Operation } from "./transactions.js";

/** An idempotency key's form, also published as the REST header's schema pattern. */
export const IDEMPOTENCY_KEY_PATTERN = "^[\\x21-\\x7e]{1,255}$";
const KEY_FORMAT = new RegExp(IDEMPOTENCY_KEY_PATTERN);
/** How long a key replays its first answer. */
const KEY_LIFETIME_MS = 24 * 3_600_000;
/** A claim older than this belongs to a process that died mid-request, and may be taken over. */
const CLAIM_LEASE_MS = 60_000;

export function idempotencyKeyError(key: string, path: readonly string[]): FieldError | null {
  return KEY_FORMAT.test(key) ? null : { path, message: "Must be 1 to 255 visible ASCII characters." };
}

export interface IdempotencyKey<T> {
  readonly tenantId: number;
  readonly key: string;
  readonly operation: string;
  /** What identifies the request: the same key with another payload is refused. */
  readonly payload: unknown;
  /** The stored form of a success: must hold no secret (no token, no link). */
  readonly toStored: (result: T) => unknown;
  readonly fromStored: (stored: unknown) => T;
}

/**
 * Runs a mutation at most once per (tenant, key): a retry with the same payload replays the first success;
 * another payload is refused; a retry while the first is still running is told to wait. Only successes are
 * remembered: a refusal frees the key, so the client can retry with it. The claim is an insert that a
 * concurrent claim of the same key (on any instance) waits for and then finds taken.
 */
export async function runIdempotently<T>(
  deps: InvitationServiceDeps,
  idempotency: IdempotencyKey<T>,
  operation: Operation<T>,
): Promise<T | IdempotencyKeyReused | IdempotencyKeyInUse> {
  const { tenantId, key } = idempotency;
  const requestHash = hashSecret(`${idempotency.operation}\n${JSON.stringify(idempotency.payload)}`);
  const now = deps.now();
  const expiresAt = now + KEY_LIFETIME_MS;

  const claim = await deps.store.transaction(async (tx) => {
    await tx.idempotency.purgeExpired(now);
    const fresh = { tenantId, key, operation: idempotency.operation, requestHash, now, expiresAt };
    if (await tx.idempotency.claim(fresh)) return { kind: "Claimed" } as const;
    const existing = await tx.idempotency.findByKeyForUpdate(tenantId, key);
    // Released between our insert and this read: the key is free again, but someone else is using it.
    if (!existing) return errors.idempotencyKeyInUse();
    if (existing.requestHash !== requestHash) return errors.idempotencyKeyReused();
    if (existing.status === "completed")
      return { kind: "Replay", response: existing.response ?? "null" } as const;
    if (existing.createdAt + CLAIM_LEASE_MS > now) return errors.idempotencyKeyInUse();
    await tx.idempotency.reclaimStale(tenantId, key, now, expiresAt);
    return { kind: "Claimed" } as const;
  });

  switch (claim.kind) {
    case "IdempotencyKeyReused":
    case "IdempotencyKeyInUse":
      return claim;
    case "Replay":
      return idempotency.fromStored(JSON.parse(claim.response));
    case "Claimed":
      break;
    default: {
      const _exhaustive: never = claim;
      throw new Error(`unknown claim ${JSON.stringify(_exhaustive)}`);
    }
  }

  try {
    // The operation and the record of its answer commit together.
    return await changeOrRefuse(deps, {
      ...operation,
      audit: async (tx, result) => {
        await operation.audit(tx, result);
        if (operation.isSuccess(result))
          await tx.idempotency.markCompleted(tenantId, key, JSON.stringify(idempotency.toStored(result)));
        else await tx.idempotency.releaseClaim(tenantId, key);
      },
    });
  } catch (error) {
    await deps.store.idempotency.releaseClaim(tenantId, key);
    throw error;
  }
}
