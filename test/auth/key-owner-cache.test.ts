import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { displayPrefix, hashSecret } from "../../src/auth/secrets.js";
import type { Database } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { OTHERS_COMMITS_CHECK_MS } from "../../src/db/repositories/key-owner-cache.js";
import { ACME, createHarness, KEYS, rows, T0, type Harness } from "../support/harness.js";

// Authentication keeps recently used keys in memory (KeyOwnerCache). These tests warm that cache, then change
// what it holds the way an operator or a second server would, through another connection, and expect the very
// next call to see the change. (Neither learns of it at once: PostgreSQL by NOTIFY, asynchronously, SQLite
// by reading its data_version every OTHERS_COMMITS_CHECK_MS; the tests wait for that, well under a second.)

let h: Harness;
let other: Database;
beforeEach(async () => {
  h = await createHarness();
  other = openDatabase(h.db.location);
});
afterEach(async () => {
  await other.close();
  await h.dispose();
});

const viewer = (key: string) => h.container.service.viewer(h.call(key));
const resend = (key: string) => h.container.service.resendInvitation(h.call(key), { invitationId: "9001" });
/** Writes through another connection; resolves once this process can have heard of it. */
async function write(sql: string, ...params: unknown[]): Promise<void> {
  const heard = changeSignal();
  await other.query(sql, params);
  await heard;
}

/**
 * SQLite notices other connections' commits on the first lookup once OTHERS_COMMITS_CHECK_MS have passed;
 * PostgreSQL signals them (within a second).
 */
function changeSignal(): Promise<void> {
  const { database } = h.container.store;
  if (database.dialect === "sqlite") return sleep(OTHERS_COMMITS_CHECK_MS);
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error("no change signal within a second")), 1000);
    const stop = database.onChange("key_owners_changed", () => {
      clearTimeout(timeout);
      stop();
      resolve();
    });
  });
}

/** The first call records lastUsedAt (which empties the cache); the second caches the key. */
async function warm(key: string): Promise<void> {
  for (let i = 0; i < 2; i++) expect((await viewer(key)).kind).toBe("Viewer");
}

describe("authentication with cached keys", () => {
  it("refuses a key revoked through another connection from the next call", async () => {
    await warm(KEYS.acmeAdmin);

    await write("UPDATE api_keys SET revoked_at = ? WHERE key_hash = ?", T0, hashSecret(KEYS.acmeAdmin));

    expect((await viewer(KEYS.acmeAdmin)).kind).toBe("Unauthenticated");
    expect((await resend(KEYS.acmeAdmin)).kind).toBe("Unauthenticated");
  });

  it("applies a role taken away through another connection from the next call", async () => {
    await warm(KEYS.acmeAdmin);
    expect((await resend(KEYS.acmeAdmin)).kind).toBe("ResendInvitationSuccess");

    await write("UPDATE users SET role = 'member' WHERE id = 1");

    expect((await resend(KEYS.acmeAdmin)).kind).toBe("PermissionDenied");
  });

  it("stops authenticating the keys of a tenant disabled through another connection", async () => {
    await warm(KEYS.acmeAdmin);

    await write("UPDATE tenants SET status = 'disabled' WHERE id = ?", ACME.id);

    expect((await viewer(KEYS.acmeAdmin)).kind).toBe("Unauthenticated");
  });

  it("sees a change the server itself made: accepting an invitation verifies its key holder", async () => {
    const bobKey = "bob-key-0000000000000000000000000002";
    await write(
      "INSERT INTO api_keys (tenant_id, user_id, key_hash, prefix, created_at) VALUES (?, 2, ?, ?, ?)",
      ACME.id,
      hashSecret(bobKey),
      displayPrefix(bobKey),
      T0,
    );
    // Both keys cached, their lastUsedAt recorded: nothing below empties the cache but the accept itself.
    await warm(KEYS.acmeAdmin);
    await warm(bobKey);
    expect(await viewer(bobKey)).toMatchObject({ user: { emailVerifiedAt: null } });

    expect((await resend(KEYS.acmeAdmin)).kind).toBe("ResendInvitationSuccess");
    const accepted = await h.container.service.acceptInvitation(h.call(null), { token: h.tokens.at(-1)! });
    expect(accepted.kind).toBe("AcceptInvitationSuccess");

    expect(await viewer(bobKey)).toMatchObject({ user: { emailVerifiedAt: T0 } });
  });

  it("records lastUsedAt at most once a minute", async () => {
    const lastUsed = async () =>
      (
        await rows<{ at: number | null }>(
          h.db,
          "SELECT last_used_at AS at FROM api_keys WHERE key_hash = ?",
          hashSecret(KEYS.acmeAdmin),
        )
      )[0]!.at;

    await warm(KEYS.acmeAdmin);
    expect(await lastUsed()).toBe(T0);
    h.advance(59_000);
    await viewer(KEYS.acmeAdmin);
    expect(await lastUsed()).toBe(T0);
    h.advance(2_000);
    await viewer(KEYS.acmeAdmin);
    expect(await lastUsed()).toBe(T0 + 61_000);
  });
});
