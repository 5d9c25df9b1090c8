import { afterEach, beforeEach, expect, it } from "vitest";
import { openDatabase, type Connection } from "../../src/db/connection.js";
import { Store } from "../../src/db/store.js";
import { ACME, createHarness, GLOBEX, KEYS, T0, type Harness } from "../support/harness.js";

// The per-tenant cap is checked against an upper bound this process keeps (SendQuotaRepository's tally), and
// the window is read only when that bound reaches the cap. These tests try to fool the bound.

const HOUR = 3_600_000;
let h: Harness;
let other: Connection;
beforeEach(() => {
  h = createHarness({ cooldownSeconds: 0, perTenantPerHour: 3 });
  other = openDatabase(h.db.file);
});
afterEach(() => {
  other.close();
  h.dispose();
});

/** An email queued by someone else: another server process on the same database. */
function queueElsewhere(tenantId: number, at = T0): void {
  other.sqlite
    .prepare(
      `INSERT INTO email_outbox (tenant_id, to_address, subject, status, next_attempt_at, created_at)
       VALUES (?, 'x@elsewhere.test', 's', 'queued', ?, ?)`,
    )
    .run(tenantId, at, at);
}

it("counts emails another process queued since its last look", async () => {
  const admin = h.call(KEYS.acmeAdmin);
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendInvitationSuccess",
  );
  queueElsewhere(ACME.id);
  queueElsewhere(ACME.id);

  const refused = await h.container.service.resendInvitation(admin, { invitationId: "9004" });

  expect(refused).toMatchObject({ kind: "ResendRateLimited", retryAfterSeconds: 3600 });
});

it("counts every email again once the window has moved on", async () => {
  const admin = h.call(KEYS.acmeAdmin);
  for (const at of [T0 - HOUR + 60_000, T0 - HOUR + 120_000, T0]) queueElsewhere(ACME.id, at);
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
  for (let i = 0; i < 3; i++) queueElsewhere(ACME.id, T0 - HOUR + 30_000);
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

it("forgets what a rolled-back transaction showed it, whose ids are then issued again", () => {
  const store = new Store(h.db.connection);
  const since = T0 - HOUR;
  // Inside a transaction that fails: an email of another tenant takes the next id, and ACME is counted (0).
  expect(() =>
    store.transaction(() => {
      queueInThisConnection(store, GLOBEX.id);
      expect(store.sendQuota.tenantCap(ACME.id, since, 2)).toEqual({ reached: false });
      throw new Error("rolled back");
    }),
  ).toThrow("rolled back");
  // The rolled-back id goes to an ACME email, and one more follows: ACME is at its cap of 2.
  queueElsewhere(ACME.id);
  queueElsewhere(ACME.id);

  expect(store.transaction(() => store.sendQuota.tenantCap(ACME.id, since, 2))).toEqual({
    reached: true,
    oldestAt: T0,
  });
});

function queueInThisConnection(store: Store, tenantId: number): void {
  store.outbox.enqueue({
    tenantId,
    invitationId: null,
    tokenHash: null,
    toAddress: "y@here.test",
    subject: "s",
    textBody: "t",
    htmlBody: "h",
    now: T0,
  });
}
