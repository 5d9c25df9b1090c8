import { afterEach, expect, it } from "vitest";
import { createHarness, KEYS, rows, type Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(() => h?.dispose());

const emails = async (harness: Harness) =>
  (await rows<{ n: number }>(harness.db, "SELECT count(*) AS n FROM email_outbox"))[0]!.n;

it("caps emails per tenant per hour, answering with the wait until a slot frees", async () => {
  h = await createHarness({ cooldownSeconds: 0, perTenantPerHour: 3 });
  const admin = h.call(KEYS.acmeAdmin);
  for (const email of ["a@x.test", "b@x.test", "c@x.test"]) {
    expect((await h.container.service.inviteUser(admin, { email })).kind).toBe("InviteUserSuccess");
    h.advance(60_000);
  }
  const refused = await h.container.service.resendInvitation(admin, { invitationId: "9001" });
  // The first email was queued 3 minutes ago: its slot frees in 57 minutes.
  expect(refused).toMatchObject({ kind: "ResendRateLimited", retryAfterSeconds: 57 * 60 });
  expect(await emails(h)).toBe(3);
  // Another tenant has its own budget.
  expect((await h.container.service.inviteUser(h.call(KEYS.globexAdmin), { email: "z@x.test" })).kind).toBe(
    "InviteUserSuccess",
  );
  h.advance(57 * 60_000);
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendInvitationSuccess",
  );
});

it("caps emails per recipient per day, counting every send, even superseded ones", async () => {
  h = await createHarness({ cooldownSeconds: 0, perRecipientPerDay: 2 });
  const admin = h.call(KEYS.acmeAdmin);
  // The same address reached through the invitation id, its uuid and the user id: all count.
  const uuid = (await rows<{ uuid: string }>(h.db, "SELECT uuid FROM invitations WHERE id = 9001"))[0]!.uuid;
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9001" })).kind).toBe(
    "ResendInvitationSuccess",
  );
  expect((await h.container.service.resendInvitation(admin, { invitationId: uuid })).kind).toBe(
    "ResendInvitationSuccess",
  );
  const refused = await h.container.service.resendInvitation(admin, { userId: "2" });
  expect(refused).toMatchObject({ kind: "ResendRateLimited", retryAfterSeconds: 24 * 3600 });
  expect(refused.kind === "ResendRateLimited" && refused.message).toMatch(/24 hours/);
  // Other recipients are not affected.
  expect((await h.container.service.resendInvitation(admin, { invitationId: "9004" })).kind).toBe(
    "ResendInvitationSuccess",
  );
});

it("writes nothing but the audit record when a cap refuses an invite: no user row is left behind", async () => {
  h = await createHarness({ cooldownSeconds: 0, perTenantPerHour: 1 });
  const admin = h.call(KEYS.acmeAdmin);
  expect((await h.container.service.inviteUser(admin, { email: "first@x.test" })).kind).toBe(
    "InviteUserSuccess",
  );
  const users = async () => (await rows<{ n: number }>(h!.db, "SELECT count(*) AS n FROM users"))[0]!.n;
  const before = await users();

  for (const email of ["second@x.test", "third@x.test", "second@x.test"]) {
    expect((await h.container.service.inviteUser(admin, { email })).kind).toBe("ResendRateLimited");
  }

  expect(await users()).toBe(before);
  expect(
    await rows(h.db, "SELECT email FROM users WHERE email IN ('second@x.test', 'third@x.test')"),
  ).toEqual([]);
  const audit = await rows<{ outcome: string }>(
    h.db,
    "SELECT outcome FROM audit_events WHERE action = 'invitation.create' ORDER BY id",
  );
  expect(audit.map((a) => a.outcome)).toEqual(["SUCCESS", "RATE_LIMITED", "RATE_LIMITED", "RATE_LIMITED"]);
});
