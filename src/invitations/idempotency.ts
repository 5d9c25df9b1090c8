import { hashSecret } from "../auth/secrets.js";
import type { InvitationServiceDeps } from "./deps.js";
import { errors, type FieldError, type IdempotencyKeyInUse, type IdempotencyKeyReused } from "./errors.js";

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

export interface IdempotentRun<T> {
  readonly tenantId: number;
  readonly key: string;
  readonly operation: string;
  /** What identifies the request: the same key with another payload is refused. */
  readonly payload: unknown;
  /** The operation itself; it runs in (and may open) a transaction. */
  readonly act: () => T;
  /** Only successes are remembered; a refusal frees the key so the client can retry with it. */
  readonly isSuccess: (result: T) => boolean;
  /** The stored form: must hold no secret (no token, no link). */
  readonly toStored: (result: T) => unknown;
  readonly fromStored: (stored: unknown) => T;
}

/**
 * Runs a mutation at most once per (tenant, key): a retry with the same payload replays the first success;
 * another payload is refused; a retry while the first is still running is told to wait.
 */
export function runIdempotently<T>(
  deps: InvitationServiceDeps,
  run: IdempotentRun<T>,
): T | IdempotencyKeyReused | IdempotencyKeyInUse {
  const { store } = deps;
  const { tenantId, key, operation } = run;
  const requestHash = hashSecret(`${operation}\n${JSON.stringify(run.payload)}`);
  const now = deps.now();

  const claim = store.transaction(() => {
    store.idempotency.purgeExpired(now);
    const existing = store.idempotency.findByKey(tenantId, key);
    const expiresAt = now + KEY_LIFETIME_MS;
    if (!existing) {
      store.idempotency.claim({ tenantId, key, operation, requestHash, now, expiresAt });
      return { kind: "Claimed" } as const;
    }
    if (existing.requestHash !== requestHash) return errors.idempotencyKeyReused();
    if (existing.status === "completed")
      return { kind: "Replay", response: existing.response ?? "null" } as const;
    if (existing.createdAt + CLAIM_LEASE_MS > now) return errors.idempotencyKeyInUse();
    store.idempotency.reclaimStale(tenantId, key, now, expiresAt);
    return { kind: "Claimed" } as const;
  });

  switch (claim.kind) {
    case "IdempotencyKeyReused":
    case "IdempotencyKeyInUse":
      return claim;
    case "Replay":
      return run.fromStored(JSON.parse(claim.response));
    case "Claimed":
      break;
    default: {
      const _exhaustive: never = claim;
      throw new Error(`unknown claim ${JSON.stringify(_exhaustive)}`);
    }
  }

  try {
    // The operation and the record of its answer commit together (a nested transaction is a savepoint).
    return store.transaction(() => {
      const result = run.act();
      if (run.isSuccess(result))
        store.idempotency.markCompleted(tenantId, key, JSON.stringify(run.toStored(result)));
      else store.idempotency.releaseClaim(tenantId, key);
      return result;
    });
  } catch (error) {
    store.transaction(() => store.idempotency.releaseClaim(tenantId, key));
    throw error;
  }
}
