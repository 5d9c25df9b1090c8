import type { ApiKeyRow, TenantRow, UserRow } from "../schema.js";

export interface ApiKeyOwner {
  readonly apiKey: ApiKeyRow;
  readonly user: UserRow;
  readonly tenant: TenantRow;
}

/**
 * Recently authenticated API keys with their user and tenant, by key hash: authentication then costs one
 * `PRAGMA data_version` instead of a three-table join.
 *
 * Trusted only while nothing they are made of can have changed. SQLite's data_version moves whenever another
 * connection (another process: the CLI revoking a key, a second server) commits, and this connection's own
 * writes to users and API keys call `invalidate()`. Either empties the cache, so a revocation, a role change or
 * a disabled tenant takes effect from the next request, whichever process made it. (Raw SQL run on the server's
 * own connection outside the repositories would go unseen; the server runs none on these tables.)
 */
export class KeyOwnerCache {
  /** Least recently used first: a Map iterates in insertion order, and a hit re-inserts its entry. */
  private readonly owners = new Map<string, ApiKeyOwner>();
  private dataVersion: number | null = null;

  constructor(
    private readonly readDataVersion: () => number,
    private readonly capacity = 1000,
  ) {}

  /** The owner of the key with this hash, from the cache or from `load` (only found owners are kept). */
  lookup(keyHash: string, load: () => ApiKeyOwner | undefined): ApiKeyOwner | undefined {
    const version = this.readDataVersion();
    if (version !== this.dataVersion) {
      this.owners.clear();
      this.dataVersion = version;
    }
    const cached = this.owners.get(keyHash);
    if (cached) {
      this.owners.delete(keyHash);
      this.owners.set(keyHash, cached);
      return cached;
    }
    const owner = load();
    if (owner) {
      this.owners.set(keyHash, owner);
      if (this.owners.size > this.capacity) this.owners.delete(this.owners.keys().next().value!);
    }
    return owner;
  }

  /** Whether an owner is held for this hash, without checking that it is still current. */
  holds(keyHash: string): boolean {
    return this.owners.has(keyHash);
  }

  /** This connection changed a user or an API key. */
  invalidate(): void {
    this.owners.clear();
  }
}
