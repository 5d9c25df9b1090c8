import { afterEach, beforeEach, expect, it } from "vitest";
import { COOLDOWN_SECONDS, createHarness, KEYS, rows, T0, type Harness } from "../support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ cooldownSeconds: 0 });
});
afterEach(() => h.dispose());

const resend = (
  input: { invitationId?: string; userId?: string; idempotencyKey?: string },
  key = KEYS.acmeAdmin,
) => h.container.service.resendInvitation(h.call(key), input);
const emails = async () => (await rows<{ n: number }>(h.db, "SELECT count(*) AS n FROM email_outbox"))[0]!.n;
const sendCount = async () =>
  (await rows<{ send_count: number }>(h.db, "SELECT send_count FROM invitations WHERE id = 9001"))[0]!
    .send_count;

it("replays the first success for the same key and payload, without a second email", async () => {
  const first = await resend({ invitationId: "9001", idempotencyKey: "retry-1" });
  expect(first).toMatchObject({ kind: "ResendInvitationSuccess", replayed: false });
  const again = await resend({ invitationId: "9001", idempotencyKey: "retry-1" });
  expect(again).toMatchObject({
    kind: "ResendInvitationSuccess",
    replayed: true,
    sentTo: "bob@acme.test",
    acceptUrl: null,
  });
  if (first.kind === "ResendInvitationSuccess" && again.kind === "ResendInvitationSuccess") {
    expect(again.details.invitation).toEqual(first.details.invitation);
  }
  expect(await emails()).toBe(1);
  expect(await sendCount()).toBe(2);
});

it("stores no token or link with the remembered answer", async () => {
  await resend({ invitationId: "9001", idempotencyKey: "retry-secret" });
  const stored = JSON.stringify(await rows(h.db, "SELECT * FROM idempotency_keys"));
  expect(stored).not.toContain(h.tokens.at(-1)!);
  expect(stored).not.toContain("token=");
});

it("refuses the same key with another payload, changing nothing", async () => {
  await resend({ invitationId: "9001", idempotencyKey: "k-2" });
  expect(await resend({ invitationId: "9004", idempotencyKey: "k-2" })).toMatchObject({
    kind: "IdempotencyKeyReused",
    code: "IDEMPOTENCY_KEY_REUSED",
  });
  expect(await rows(h.db, "SELECT send_count FROM invitations WHERE id = 9004")).toEqual([{ send_count: 1 }]);
});

it("tells a retry to wait while the first request is still in flight, and takes over a stale claim", async () => {
  const tenantId = 1024;
  await rows(
    h.db,
    "INSERT INTO idempotency_keys (tenant_id, key, operation, request_hash, status, created_at, expires_at) VALUES (?, 'busy', 'invitation.resend', ?, 'in_flight', ?, ?)",
    tenantId,
    await requestHashOf("9001"),
    T0,
    T0 + 86_400_000,
  );
  expect(await resend({ invitationId: "9001", idempotencyKey: "busy" })).toMatchObject({
    kind: "IdempotencyKeyInUse",
    code: "IDEMPOTENCY_KEY_IN_USE",
  });
  expect(await emails()).toBe(0);
  h.advance(COOLDOWN_SECONDS * 1000 + 1);
  expect(await resend({ invitationId: "9001", idempotencyKey: "busy" })).toMatchObject({
    kind: "ResendInvitationSuccess",
    replayed: false,
  });
});

it("frees the key after a refusal, so a corrected retry can use it", async () => {
  await h.dispose();
  h = await createHarness({ cooldownSeconds: 60 });
  await resend({ invitationId: "9001" });
  expect(await resend({ invitationId: "9001", idempotencyKey: "after-429" })).toMatchObject({
    kind: "ResendRateLimited",
  });
  h.advance(60_000);
  expect(await resend({ invitationId: "9001", idempotencyKey: "after-429" })).toMatchObject({
    kind: "ResendInvitationSuccess",
    replayed: false,
  });
});

it("forgets keys after 24 hours", async () => {
  await resend({ invitationId: "9001", idempotencyKey: "daily" });
  h.advance(24 * 3_600_000);
  expect(await resend({ invitationId: "9001", idempotencyKey: "daily" })).toMatchObject({ replayed: false });
  expect(await emails()).toBe(2);
});

it("scopes keys per tenant", async () => {
  await resend({ invitationId: "9001", idempotencyKey: "shared" });
  expect(await resend({ invitationId: "9100", idempotencyKey: "shared" }, KEYS.globexAdmin)).toMatchObject({
    kind: "ResendInvitationSuccess",
    replayed: false,
  });
});

it("rejects a malformed key as invalid input", async () => {
  for (const idempotencyKey of ["", "with space", "x".repeat(256), "naïve"]) {
    expect(await resend({ invitationId: "9001", idempotencyKey })).toMatchObject({
      kind: "InvalidInput",
      fieldErrors: [{ path: ["input", "idempotencyKey"] }],
    });
  }
});

/** The hash the service computes for a resend of this invitation id (operation + canonical payload). */
async function requestHashOf(invitationId: string): Promise<string> {
  const { hashSecret } = await import("../../src/auth/secrets.js");
  return hashSecret(`invitation.resend\n${JSON.stringify({ invitationId })}`);
}
