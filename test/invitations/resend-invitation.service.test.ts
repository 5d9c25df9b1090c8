import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResendInvitationInput } from "../../src/invitations/results.js";
import { RESEND_CASES as cases } from "../support/resend-cases.js";
import {
  COOLDOWN_SECONDS,
  createHarness,
  KEYS,
  rows,
  T0,
  TTL_HOURS,
  type Harness,
} from "../support/harness.js";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

interface InvitationRowView {
  id: number;
  status: string;
  token_hash: string | null;
  send_count: number;
  last_sent_at: number | null;
  expires_at: number;
  inviter_id: number | null;
  user_id: number;
}

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

const resend = (
  input: ResendInvitationInput,
  key: string | null = KEYS.acmeAdmin,
  tenant: string | null = null,
) => h.container.service.resendInvitation(h.call(key, tenant), input);

const invitationRow = async (id: number) =>
  (await rows<InvitationRowView>(h.db, "SELECT * FROM invitations WHERE id = ?", id))[0]!;
const outboxCount = async () =>
  (await rows<{ n: number }>(h.db, "SELECT count(*) AS n FROM email_outbox"))[0]!.n;

describe("resendInvitation outcomes", () => {
  it.each(cases)("$name → $expect.kind", async ({ input, key, tenant, expect: expected }) => {
    const before = await outboxCount();
    const result = await resend(input, key === undefined ? KEYS.acmeAdmin : key, tenant ?? null);
    expect(result).toMatchObject(expected);
    expect(await outboxCount()).toBe(before + (result.kind === "ResendInvitationSuccess" ? 1 : 0));
    if ("message" in result) expect(result.message.length).toBeGreaterThan(10);
  });

  it("answers a missing and a cross-tenant invitation with identical errors", async () => {
    const missing = await resend({ invitationId: "424242" });
    const foreign = await resend({ invitationId: "9100" });
    expect(foreign).toEqual(missing);
    const missingUser = await resend({ userId: "999" });
    const foreignUser = await resend({ userId: "21" });
    expect(foreignUser).toEqual(missingUser);
  });

  it("leaves another tenant's invitation untouched when it is named", async () => {
    const before = await invitationRow(9100);
    await resend({ invitationId: "9100" });
    expect(await invitationRow(9100)).toEqual(before);
  });

  it("names the offending field of invalid input", async () => {
    const result = await resend({ invitationId: "abc" });
    expect(result).toMatchObject({ fieldErrors: [{ path: ["input", "invitationId"] }] });
    const both = await resend({ invitationId: "1", userId: "2" });
    expect(both).toMatchObject({ fieldErrors: [{ path: ["input"] }] });
  });

  it("explains a permission refusal in notices", async () => {
    const result = await resend({ invitationId: "9001" }, KEYS.acmeMember);
    expect(result.kind).toBe("PermissionDenied");
    if (result.kind === "PermissionDenied") expect(result.notices.join(" ")).toMatch(/admin/);
  });
});

describe("a successful resend", () => {
  it("rotates the token, restarts the lifetime, counts the send, and stores only the hash", async () => {
    const before = await invitationRow(9001);
    const result = await resend({ invitationId: "9001" });
    expect(result.kind).toBe("ResendInvitationSuccess");
    const token = h.tokens.at(-1)!;
    const after = await invitationRow(9001);
    expect(after.token_hash).toBe(sha256(token));
    expect(after.status).toBe("pending");
    expect(after.expires_at).toBe(T0 + TTL_HOURS * 3_600_000);
    expect(after.send_count).toBe(before.send_count + 1);
    expect(after.last_sent_at).toBe(T0);
    expect(after.inviter_id).toBe(1);

    // The plaintext token lives only in the queued email (purged after delivery), nowhere else.
    const dump = (await rows<Record<string, unknown>>(h.db, "SELECT * FROM invitations"))
      .concat(await rows(h.db, "SELECT * FROM audit_events"))
      .concat(await rows(h.db, "SELECT id, token_hash, to_address, subject FROM email_outbox"));
    expect(JSON.stringify(dump)).not.toContain(token);
  });

  it("makes the previous token stop working and cancels its queued email", async () => {
    await resend({ invitationId: "9001" });
    const first = h.tokens.at(-1)!;
    h.advance(COOLDOWN_SECONDS * 1000);
    await resend({ invitationId: "9001" });
    const second = h.tokens.at(-1)!;
    expect(second).not.toBe(first);
    expect(await rows(h.db, "SELECT id FROM invitations WHERE token_hash = ?", sha256(first))).toHaveLength(
      0,
    );
    expect((await invitationRow(9001)).token_hash).toBe(sha256(second));
    const outbox = await rows<{ status: string; token_hash: string; text_body: string | null }>(
      h.db,
      "SELECT status, token_hash, text_body FROM email_outbox WHERE invitation_id = 9001 ORDER BY id",
    );
    expect(outbox.map((r) => r.status)).toEqual(["cancelled", "queued"]);
    expect(outbox[0]!.text_body).toBeNull();
    expect(outbox[1]!.text_body).toContain(second);
  });

  it("queues an email to the invitee's address naming tenant and inviter with the accept link", async () => {
    await resend({ invitationId: "9001" });
    const [email] = await rows<{ to_address: string; subject: string; text_body: string; html_body: string }>(
      h.db,
      "SELECT * FROM email_outbox",
    );
    const link = `https://invites.example.test/invitations/accept?token=${h.tokens.at(-1)}`;
    expect(email!.to_address).toBe("bob@acme.test");
    expect(email!.subject).toContain("Acme Procurement");
    expect(email!.subject).toContain("Ada Admin");
    expect(email!.text_body).toContain(link);
    expect(email!.html_body).toContain(link);
    expect(email!.text_body).toContain("Bob Pending");
  });

  it("resends an expired invitation as pending with a fresh expiry", async () => {
    expect((await invitationRow(9004)).expires_at).toBeLessThan(T0);
    const result = await resend({ invitationId: "9004" });
    expect(result).toMatchObject({
      kind: "ResendInvitationSuccess",
      details: { invitation: { status: "pending" } },
    });
    expect((await invitationRow(9004)).expires_at).toBe(T0 + TTL_HOURS * 3_600_000);
  });

  it("resends the latest pending invitation of a user, not a revoked one", async () => {
    const result = await resend({ userId: "2" });
    expect(result).toMatchObject({
      kind: "ResendInvitationSuccess",
      created: false,
      details: { invitation: { id: 9001 } },
    });
    expect((await invitationRow(9003)).status).toBe("revoked");
  });

  it("names who the invitation is from: its inviter, or the resending admin when none is recorded", async () => {
    expect(await resend({ invitationId: "9001" })).toMatchObject({
      invitedBy: { id: 1 },
      resentBy: { id: 1 },
    });
    await h.db.database.query("UPDATE invitations SET inviter_id = NULL WHERE id = 9004");
    const orphan = await resend({ invitationId: "9004" });
    expect(orphan).toMatchObject({ details: { inviter: null }, invitedBy: { id: 1 } });
  });

  it("creates an invitation, inviter = caller, for a user who has none", async () => {
    const result = await resend({ userId: "8" });
    expect(result.kind).toBe("ResendInvitationSuccess");
    const created = await rows<InvitationRowView>(h.db, "SELECT * FROM invitations WHERE user_id = 8");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ inviter_id: 1, send_count: 1, status: "pending", last_sent_at: T0 });
  });

  it("writes an audit record for success and for refusals", async () => {
    await resend({ invitationId: "9001" }, KEYS.acmeAdmin);
    await resend({ invitationId: "9002" }, KEYS.acmeAdmin);
    await resend({ invitationId: "9001" }, KEYS.acmeMember);
    const audit = await rows<{
      action: string;
      outcome: string;
      actor_user_id: number;
      target_id: string;
      created_at: number;
    }>(h.db, "SELECT * FROM audit_events ORDER BY id");
    expect(audit.map((a) => [a.action, a.outcome, a.actor_user_id])).toEqual([
      ["invitation.resend", "SUCCESS", 1],
      ["invitation.resend", "INVITATION_NOT_PENDING", 1],
      ["invitation.resend", "PERMISSION_DENIED", 6],
    ]);
    expect(audit[0]).toMatchObject({ target_id: "9001", created_at: T0 });
  });
});

describe("cooldown", () => {
  it("holds per invitee: revoking and resending by user id does not reset it", async () => {
    expect((await resend({ invitationId: "9001" })).kind).toBe("ResendInvitationSuccess");
    h.advance(1_000);
    const revoked = await h.container.service.revokeInvitation(h.call(KEYS.acmeAdmin), {
      invitationId: "9001",
    });
    expect(revoked.kind).toBe("RevokeInvitationSuccess");
    // Bob has no pending invitation now: a resend by user id would create a new one, and send again.
    expect(await resend({ userId: "2" })).toMatchObject({ kind: "ResendRateLimited", retryAfterSeconds: 59 });
    expect(await outboxCount()).toBe(1);
    h.advance(59_000);
    expect(await resend({ userId: "2" })).toMatchObject({ kind: "ResendInvitationSuccess", created: true });
  });

  it("refuses a second resend within the cooldown with the seconds left, then allows it", async () => {
    expect((await resend({ invitationId: "9001" })).kind).toBe("ResendInvitationSuccess");
    expect(await resend({ invitationId: "9001" })).toMatchObject({
      kind: "ResendRateLimited",
      retryAfterSeconds: 60,
    });
    h.advance(20_500);
    expect(await resend({ invitationId: "9001" })).toMatchObject({
      kind: "ResendRateLimited",
      retryAfterSeconds: 40,
    });
    expect(await resend({ userId: "2" })).toMatchObject({ kind: "ResendRateLimited", retryAfterSeconds: 40 });
    h.advance(39_500);
    expect((await resend({ invitationId: "9001" })).kind).toBe("ResendInvitationSuccess");
    expect((await invitationRow(9001)).send_count).toBe(3);
  });

  it("leaves the invitation and outbox unchanged when refused", async () => {
    await resend({ invitationId: "9001" });
    const before = await invitationRow(9001);
    const outbox = await outboxCount();
    await resend({ invitationId: "9001" });
    expect(await invitationRow(9001)).toEqual(before);
    expect(await outboxCount()).toBe(outbox);
  });

  it("is disabled by a cooldown of 0", async () => {
    await h.dispose();
    h = await createHarness({ cooldownSeconds: 0 });
    for (let i = 0; i < 3; i++)
      expect((await resend({ invitationId: "9001" })).kind).toBe("ResendInvitationSuccess");
  });

  it("lets 20 concurrent resends of one invitation produce exactly one success and one email", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => resend({ invitationId: "9001" })));
    expect(results.filter((r) => r.kind === "ResendInvitationSuccess")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "ResendRateLimited")).toHaveLength(19);
    expect(await outboxCount()).toBe(1);
  });
});
