import type { Database } from "../database.js";
import type { ApiKeyOwner } from "./api-key.repository.js";

/** Backstop for a change signal that never came: no cached owner is older than this. */
const MAX_AGE_MS = 5_000;
const CAPACITY = 1000;
/**
 * How often a lookup asks SQLite whether other connections committed (`PRAGMA data_version`, ~25 µs under
 * load: a read of the WAL index): at most this stale, well within the second a revocation may take.
 */
export const OTHERS_COMMITS_CHECK_MS = 100;

interface Entry {
  readonly owner: ApiKeyOwner;
  readonly loadedAt: number;
}

/**
 * Recently authenticated API keys with their user and tenant, by key hash: authentication then costs no
 * query. Trusted only while nothing they are made of can have changed: every committed change to API keys,
 * users or tenants, by this process or another, empties it (PostgreSQL: NOTIFY from triggers, and a flush
 * whenever the listener reconnects; SQLite: its data_version, which moves on other connections' commits,
 * read at most every OTHERS_COMMITS_CHECK_MS, and this process's own writes). Entries also age out after MAX_AGE_MS. So a revoked key is refused by
 * every instance within the signal's latency.
 */
export class KeyOwnerCache {
  /** Least recently used first: a Map iterates in insertion order, and a hit re-inserts its entry. */
  private readonly owners = new Map<string, Entry>();
  private commitsByOthers: number | null = null;
  private othersCheckedAt = -Infinity;
  /** Moves on every change signal: a load that started before one must not be cached. */
  private generation = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: () => number = () => performance.now(),
  ) {
    database.onChange("key_owners_changed", () => this.invalidate());
  }

  /** The owner of the key with this hash, from the cache or from `load` (only found owners are kept). */
  async lookup(
    keyHash: string,
    load: () => Promise<ApiKeyOwner | undefined>,
  ): Promise<ApiKeyOwner | undefined> {
    const now = this.clock();
    if (now - this.othersCheckedAt >= OTHERS_COMMITS_CHECK_MS) {
      this.othersCheckedAt = now;
      const version = this.database.commitsByOthers();
      if (version !== this.commitsByOthers) {
        this.invalidate();
        this.commitsByOthers = version;
      }
    }
    const cached = this.owners.get(keyHash);
    if (cached && now - cached.loadedAt < MAX_AGE_MS) {
      this.owners.delete(keyHash);
      this.owners.set(keyHash, cached);
      return cached.owner;
    }
    this.owners.delete(keyHash);
    const generation = this.generation;
    const owner = await load();
    if (owner && generation === this.generation) {
      this.owners.set(keyHash, { owner, loadedAt: now });
      if (this.owners.size > CAPACITY) this.owners.delete(this.owners.keys().next().value!);
    }
    return owner;
  }

  /** Whether an owner is held for this hash, without checking that it is still current. */
  holds(keyHash: string): boolean {
    return this.owners.has(keyHash);
  }

  invalidate(): void {
    this.generation++;
    this.owners.clear();
  }
}
