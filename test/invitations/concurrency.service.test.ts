import { afterEach, beforeEach, expect, it } from "vitest";
import { createContainer, type Container } from "../../src/container.js";
import type { Database } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import type { InvitationSettings } from "../../src/invitations/invitation.service.js";
import { ACME, KEYS, loadTestFixture, rows, T0 } from "../support/harness.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";

// Two services on two connections (PostgreSQL: two pools) to one database, as two instances would be, racing
// each other: the rules must hold in the database, not in one process's memory.

let db: TempDatabase;
let second: Database;
beforeEach(async () => {
  db = await createTempDatabase();
  await loadTestFixture(db.database);
  second = openDatabase(db.location);
});
afterEach(async () => {
  await second.close();
  await db.dispose();
});

function instances(caps: InvitationSettings["emailCaps"]): Container[] {
  const settings: InvitationSettings = {
    invitationTtlMs: 3_600_000,
    resendCooldownMs: 60_000,
    publicUrl: "https://invites.example.test",
    emailCaps: caps,
  };
  let counter = 0;
  return [db.database, second].map((database) =>
    createContainer({
      database,
      settings,
      now: () => T0,
      generateToken: () => `race-token-${++counter}-${"r".repeat(32)}`,
    }),
  );
}

const admin = { credentials: { apiKey: KEYS.acmeAdmin, tenantClaims: [] }, requestId: null };

it("invites one address once when two instances invite it at the same moment", async () => {
  const both = instances({ perTenantPerHour: 1000, perRecipientPerDay: 100 });
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => both[i % 2]!.service.inviteUser(admin, { email: "race@acme.test" })),
  );

  expect(results.filter((r) => r.kind === "InviteUserSuccess")).toHaveLength(1);
  expect(new Set(results.map((r) => r.kind))).toEqual(
    new Set(["InviteUserSuccess", "InvitationAlreadyPending"]),
  );
  expect(await rows(db, "SELECT count(*) AS n FROM users WHERE email = 'race@acme.test'")).toEqual([
    { n: 1 },
  ]);
  expect(
    await rows(db, "SELECT count(*) AS n FROM email_outbox WHERE to_address = 'race@acme.test'"),
  ).toEqual([{ n: 1 }]);
});

it("keeps the tenant's hourly cap exact under concurrent sends from two instances", async () => {
  const both = instances({ perTenantPerHour: 3, perRecipientPerDay: 100 });
  const emails = Array.from({ length: 12 }, (_, i) => `capped-${i}@acme.test`);
  const results = await Promise.all(
    emails.map((email, i) => both[i % 2]!.service.inviteUser(admin, { email })),
  );

  expect(results.filter((r) => r.kind === "InviteUserSuccess")).toHaveLength(3);
  expect(results.filter((r) => r.kind === "ResendRateLimited")).toHaveLength(9);
  expect(await rows(db, "SELECT count(*) AS n FROM email_outbox WHERE tenant_id = ?", ACME.id)).toEqual([
    { n: 3 },
  ]);
  // Refused invites left no user behind.
  expect(await rows(db, "SELECT count(*) AS n FROM users WHERE email LIKE 'capped-%'")).toEqual([{ n: 3 }]);
});

it("keeps the per-recipient cap exact when two instances resend to one address", async () => {
  const both = instances({ perTenantPerHour: 1000, perRecipientPerDay: 2 });
  // 9001 and 9004 reach different people; by user id and by invitation id Bob is reached twice over.
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      both[i % 2]!.service.resendInvitation(admin, i % 2 === 0 ? { invitationId: "9001" } : { userId: "2" }),
    ),
  );

  // The cooldown lets one through; the others are refused, by cooldown or cap, never sent.
  expect(results.filter((r) => r.kind === "ResendInvitationSuccess")).toHaveLength(1);
  expect(await rows(db, "SELECT count(*) AS n FROM email_outbox WHERE to_address = 'bob@acme.test'")).toEqual(
    [{ n: 1 }],
  );
});

it("lets exactly one of many concurrent resends by user id create the user's invitation", async () => {
  const both = instances({ perTenantPerHour: 1000, perRecipientPerDay: 100 });
  // Nina (user 8) has no invitation yet: each resend by user id would create one.
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => both[i % 2]!.service.resendInvitation(admin, { userId: "8" })),
  );

  expect(results.filter((r) => r.kind === "ResendInvitationSuccess")).toHaveLength(1);
  expect(results.filter((r) => r.kind === "ResendRateLimited")).toHaveLength(9);
  expect(await rows(db, "SELECT count(*) AS n FROM invitations WHERE user_id = 8")).toEqual([{ n: 1 }]);
});

it("replays an idempotency key used on one instance when it comes back through the other", async () => {
  const [one, two] = instances({ perTenantPerHour: 1000, perRecipientPerDay: 100 });
  const input = { invitationId: "9001", idempotencyKey: "retry-1" };
  const [first, again] = await Promise.all([
    one!.service.resendInvitation(admin, input),
    two!.service.resendInvitation(admin, input),
  ]);
  const later = await two!.service.resendInvitation(admin, input);

  // One ran; at the same moment the other was told the key is in use, or (once committed) got the replay.
  const outcomes = [first!, again!].map((r) =>
    r.kind === "ResendInvitationSuccess" ? (r.replayed ? "replayed" : "ran") : r.kind,
  );
  expect(outcomes.filter((o) => o === "ran")).toHaveLength(1);
  expect(outcomes.filter((o) => o !== "ran")).toEqual([
    expect.stringMatching(/^(replayed|IdempotencyKeyInUse)$/),
  ]);
  expect(later).toMatchObject({ kind: "ResendInvitationSuccess", replayed: true });
  expect(await rows(db, "SELECT count(*) AS n FROM email_outbox WHERE invitation_id = 9001")).toEqual([
    { n: 1 },
  ]);
});
