import { afterEach, beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { Store, type Repositories } from "../../src/db/store.js";
import { ACME, createHarness, GLOBEX, KEYS, T0, type Harness } from "../support/harness.js";

// The per-tenant cap is checked against an upper bound this process keeps (SendQuotaRepository's tally), and
// the window is read only when that bound reaches the cap. These tests try to fool the bound, on both dialects.

const HOUR = 3_600_000;
let h: Harness;
let other: Database;
let elsewhere: Store;
beforeEach(async () => {
  h = await createHarness({ cooldownSeconds: 0, perTenantPerHour: 3 });
  other = openDatabase(h.db.location);
  elsewhere = new Store(other);
});
afterEach(async () => {
  await other.close();
  await h.dispose();
});

/** An email queued by someone else: another server process on the same database, with its own tallies. */
async function queueElsewhere(tenantId: number, at = T0): Promise<void> {
  await elsewhere.transaction(async (tx) => {
    await tx.tenants.lockForWrites(tenantId);
    await queueInThisConnection(tx, tenantId, at, "x@elsewhere.test");
  });
}

it("counts emails another process queued since its last look", async () => {
  const admin = h.call(KEYS.acmeAdmin);
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendInvitationSuccess",
  );
  await queueElsewhere(ACME.id);
  await queueElsewhere(ACME.id);

  const refused = await h.container.service.resendInvitation(admin, { invitationId: "9004" });

  expect(refused).toMatchObject({ kind: "ResendRateLimited", retryAfterSeconds: 3600 });
});

it("counts every email again once the window has moved on", async () => {
  const admin = h.call(KEYS.acmeAdmin);
  for (const at of [T0 - HOUR + 60_000, T0 - HOUR + 120_000, T0]) await queueElsewhere(ACME.id, at);
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendRateLimited",
  );

  h.advance(60_001);

  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendInvitationSuccess",
  );
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9004" })).kind).toBe(
    "ResendRateLimited",
  );
});

it("counts afresh when the clock goes back and the window reaches further into the past", async () => {
  const admin = h.call(KEYS.acmeAdmin);
  for (let i = 0; i < 3; i++) await queueElsewhere(ACME.id, T0 - HOUR + 30_000);
  h.advance(60_000);
  // Those three are out of this window: the count is 0, and one more email is sent.
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendInvitationSuccess",
  );

  h.advance(-60_000);

  expect((await h.container.service.resendInvitation(admin, { invitationId: "9004" })).kind).toBe(
    "ResendRateLimited",
  );
});

it("does not walk the window while the bound stays below the cap", async () => {
  const store = new Store(h.db.database);
  const since = T0 - HOUR;
  await queueElsewhere(ACME.id);
  expect(await store.transaction((tx) => tx.sendQuota.tenantCap(ACME.id, since, 3))).toEqual({
    reached: false,
  });
  // Two emails no issued id accounts for (written by hand with ids below every other): the bound, one email,
  // says the cap of 3 is far, and the window is not read. This is why nothing may queue an email but the
  // outbox repository.
  for (const id of [0, -1]) {
    await other.query(
      `INSERT INTO email_outbox (id, tenant_id, to_address, subject, status, next_attempt_at, created_at)
       VALUES (${id}, ${ACME.id}, 'x@by-hand.test', 's', 'queued', ${T0}, ${T0})`,
    );
  }
  expect(await store.transaction((tx) => tx.sendQuota.tenantCap(ACME.id, since, 3))).toEqual({
    reached: false,
  });
  // A process without a tally reads the window, and finds it full.
  expect(await elsewhere.transaction((tx) => tx.sendQuota.tenantCap(ACME.id, since, 3))).toEqual({
    reached: true,
    oldestAt: T0,
  });
});

it("forgets what a rolled-back transaction showed it, whose ids are then issued again", async () => {
  const store = new Store(h.db.database);
  const since = T0 - HOUR;
  // Inside a transaction that fails: an email of another tenant takes the next id, and ACME is counted (0).
  await expect(
    store.transaction(async (tx) => {
      await queueInThisConnection(tx, GLOBEX.id);
      expect(await tx.sendQuota.tenantCap(ACME.id, since, 2)).toEqual({ reached: false });
      throw new Error("rolled back");
    }),
  ).rejects.toThrow("rolled back");
  // The rolled-back id goes to an ACME email, and one more follows: ACME is at its cap of 2.
  await queueElsewhere(ACME.id);
  await queueElsewhere(ACME.id);

  expect(await store.transaction((tx) => tx.sendQuota.tenantCap(ACME.id, since, 2))).toEqual({
    reached: true,
    oldestAt: T0,
  });
});

async function queueInThisConnection(
  tx: Repositories,
  tenantId: number,
  at = T0,
  toAddress = "y@here.test",
): Promise<void> {
  await tx.outbox.enqueue({
    tenantId,
    invitationId: null,
    tokenHash: null,
    toAddress,
    subject: "s",
    textBody: "t",
    htmlBody: "h",
    now: at,
  });
}
