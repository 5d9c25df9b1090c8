import type { Store } from "../db/store.js";
import { errors, type TenantMismatch, type Unauthenticated } from "../invitations/errors.js";
import { parseEntityRef } from "../invitations/entity-ref.js";
import type { Tenant, User } from "../invitations/model.js";
import type { Credentials } from "./credentials.js";
import { digestsEqual, hashSecret } from "./secrets.js";

/** Who is calling: a user of one tenant, through one of their API keys. */
export interface Actor {
  readonly user: User;
  readonly tenant: Tenant;
  readonly apiKeyId: number;
}

export type Authentication =
  | { readonly ok: true; readonly actor: Actor }
  | { readonly ok: false; readonly error: Unauthenticated | TenantMismatch };

/** Longest key we bother hashing: anything longer is not ours, and hashing megabytes is a cheap DoS. */
const MAX_KEY_LENGTH = 256;
const LAST_USED_GRANULARITY_MS = 60_000;

export class Authenticator {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  /** Checks the key, then every tenant the request names (contract §3: authenticate, then tenant). */
  async authenticate(credentials: Credentials): Promise<Authentication> {
    const { apiKey } = credentials;
    if (apiKey === null || apiKey.length === 0 || apiKey.length > MAX_KEY_LENGTH) {
      return { ok: false, error: errors.unauthenticated() };
    }
    const keyHash = hashSecret(apiKey);
    const owner = await this.store.findKeyOwner(keyHash);
    // The index lookup finds the row; the constant-time comparison is the check we rely on.
    if (!owner || !digestsEqual(owner.apiKey.keyHash, keyHash) || owner.tenant.status !== "active") {
      return { ok: false, error: errors.unauthenticated() };
    }
    const mismatched = [
      ...(credentials.tenantClaims.every((claim) => isTenant(claim, owner.tenant))
        ? []
        : ["header" as const]),
      ...(credentials.pathTenantClaim === undefined || isTenant(credentials.pathTenantClaim, owner.tenant)
        ? []
        : ["path" as const]),
    ];
    if (mismatched.length > 0) return { ok: false, error: errors.tenantMismatch(mismatched) };
    const now = this.now();
    const { lastUsedAt } = owner.apiKey;
    // The row says when it was last recorded; the UPDATE checks again, for other processes' writes.
    if (lastUsedAt === null || lastUsedAt < now - LAST_USED_GRANULARITY_MS) {
      await this.store.apiKeys.touchLastUsed(owner.apiKey.id, now, LAST_USED_GRANULARITY_MS);
    }
    return { ok: true, actor: { user: owner.user, tenant: owner.tenant, apiKeyId: owner.apiKey.id } };
  }
}

function isTenant(header: string, tenant: Tenant): boolean {
  const ref = parseEntityRef(header);
  if (ref === null) return false;
  return "id" in ref ? ref.id === tenant.id : ref.uuid === tenant.uuid;
}
