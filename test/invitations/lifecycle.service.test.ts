import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

const admin = () => h.call(KEYS.acmeAdmin);
const service = () => h.container.service;
const count = async (sql: string, ...params: unknown[]) =>
  (await rows<{ n: number }>(h.db, sql, ...params))[0]!.n;
const lastToken = () => h.tokens.at(-1)!;

describe("acceptInvitation", () => {
  it("accepts once, verifies the invitee, and spends the token", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    const token = lastToken();
    const first = await service().acceptInvitation(h.call(null), { token });
    expect(first).toMatchObject({
      kind: "AcceptInvitationSuccess",
      details: { invitation: { id: 9001, status: "accepted" } },
    });
    expect(
      await rows(h.db, "SELECT status, token_hash, accepted_at FROM invitations WHERE id = 9001"),
    ).toEqual([{ status: "accepted", token_hash: null, accepted_at: T0 }]);
    expect(await rows(h.db, "SELECT email_verified_at FROM users WHERE id = 2")).toEqual([
      { email_verified_at: T0 },
    ]);
    expect(await service().acceptInvitation(h.call(null), { token })).toMatchObject({
      kind: "InvalidInvitationToken",
    });
    // Accepted means verified: a later resend of the user is refused.
    expect(await service().resendInvitation(admin(), { userId: "2" })).toMatchObject({
      kind: "UserAlreadyVerified",
    });
  });

  it("refuses a replaced token and accepts the new one", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    const old = lastToken();
    h.advance(COOLDOWN_SECONDS * 1000);
    await service().resendInvitation(admin(), { invitationId: "9001" });
    expect(await service().acceptInvitation(h.call(null), { token: old })).toMatchObject({
      kind: "InvalidInvitationToken",
    });
    expect(await service().acceptInvitation(h.call(null), { token: lastToken() })).toMatchObject({
      kind: "AcceptInvitationSuccess",
    });
  });

  it("answers unknown, revoked and malformed tokens alike", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    const token = lastToken();
    await service().revokeInvitation(admin(), { invitationId: "9001" });
    const answers = await Promise.all(
      [token, "unknown-token-000000000000000000000000000", "", "x".repeat(5000)].map((t) =>
        service().acceptInvitation(h.call(null), { token: t }),
      ),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toMatchObject({ kind: "InvalidInvitationToken", code: "INVALID_INVITATION_TOKEN" });
  });

  it("tells a valid but expired token apart, and keeps it resendable", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    h.advance(TTL_HOURS * 3_600_000);
    const result = await service().acceptInvitation(h.call(null), { token: lastToken() });
    expect(result).toMatchObject({
      kind: "InvitationExpired",
      code: "INVITATION_EXPIRED",
      expiredAt: h.now(),
    });
    expect(await count("SELECT count(*) AS n FROM invitations WHERE id = 9001 AND status = 'pending'")).toBe(
      1,
    );
  });

  it("lets exactly one of 10 concurrent accepts of one token win", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    const token = lastToken();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => service().acceptInvitation(h.call(null), { token })),
    );
    expect(results.filter((r) => r.kind === "AcceptInvitationSuccess")).toHaveLength(1);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE action = 'invitation.accept'")).toBe(1);
  });
});

describe("inviteUser", () => {
  it("creates the user and the invitation and queues the email, in one go", async () => {
    const result = await service().inviteUser(admin(), {
      email: "  New.Person@Example.TEST ",
      name: "New Person",
    });
    expect(result).toMatchObject({
      kind: "InviteUserSuccess",
      userCreated: true,
      sentTo: "new.person@example.test",
    });
    expect(
      await rows(
        h.db,
        "SELECT name, email, role, kind, email_verified_at FROM users WHERE email = 'new.person@example.test'",
      ),
    ).toEqual([
      {
        name: "New Person",
        email: "new.person@example.test",
        role: "member",
        kind: "human",
        email_verified_at: null,
      },
    ]);
    const [invitation] = await rows<{ token_hash: string; inviter_id: number; send_count: number }>(
      h.db,
      "SELECT i.* FROM invitations i JOIN users u ON u.id = i.user_id WHERE u.email = 'new.person@example.test'",
    );
    expect(invitation).toMatchObject({ token_hash: sha256(lastToken()), inviter_id: 1, send_count: 1 });
    expect(
      await count("SELECT count(*) AS n FROM email_outbox WHERE to_address = 'new.person@example.test'"),
    ).toBe(1);
  });

  it("invites an existing user without an invitation, keeping their role", async () => {
    const result = await service().inviteUser(admin(), { email: "nina@acme.test", role: "admin" });
    expect(result).toMatchObject({ kind: "InviteUserSuccess", userCreated: false });
    expect(await rows(h.db, "SELECT role FROM users WHERE id = 8")).toEqual([{ role: "member" }]);
  });

  it.each([
    [
      "a pending invitation exists",
      { email: "bob@acme.test" },
      { kind: "InvitationAlreadyPending", invitationId: 9001 },
    ],
    [
      "an expired invitation exists",
      { email: "eve@acme.test" },
      { kind: "InvitationAlreadyPending", invitationId: 9004 },
    ],
    ["the user is verified", { email: "vera@acme.test" }, { kind: "UserAlreadyVerified" }],
    [
      "the address is a service account's",
      { email: "mcp@acme.test" },
      { kind: "ServiceAccountNotInvitable" },
    ],
    [
      "the email is invalid",
      { email: "not-an-email" },
      { kind: "InvalidInput", fieldErrors: [{ path: ["input", "email"] }] },
    ],
    [
      "the name is blank",
      { email: "x@y.test", name: "  " },
      { kind: "InvalidInput", fieldErrors: [{ path: ["input", "name"] }] },
    ],
  ])("refuses when %s, writing no invitation or email", async (_name, input, expected) => {
    const before = [
      await count("SELECT count(*) AS n FROM invitations"),
      await count("SELECT count(*) AS n FROM email_outbox"),
      await count("SELECT count(*) AS n FROM users"),
    ];
    expect(await service().inviteUser(admin(), input)).toMatchObject(expected);
    expect([
      await count("SELECT count(*) AS n FROM invitations"),
      await count("SELECT count(*) AS n FROM email_outbox"),
      await count("SELECT count(*) AS n FROM users"),
    ]).toEqual(before);
  });

  it("is admin-only and tenant-scoped", async () => {
    expect(await service().inviteUser(h.call(KEYS.acmeMember), { email: "a@b.test" })).toMatchObject({
      kind: "PermissionDenied",
    });
    expect(await service().inviteUser(h.call(null), { email: "a@b.test" })).toMatchObject({
      kind: "Unauthenticated",
    });
    // The same address in another tenant is another user.
    const result = await service().inviteUser(h.call(KEYS.globexAdmin), { email: "bob@acme.test" });
    expect(result).toMatchObject({ kind: "InviteUserSuccess", userCreated: true });
  });
});

describe("revokeInvitation", () => {
  it("revokes, kills the token at once, and cancels the queued email", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    const token = lastToken();
    const result = await service().revokeInvitation(admin(), { invitationId: "9001" });
    expect(result).toMatchObject({
      kind: "RevokeInvitationSuccess",
      details: { invitation: { status: "revoked" } },
    });
    expect(
      await rows(h.db, "SELECT status, token_hash, revoked_at FROM invitations WHERE id = 9001"),
    ).toEqual([{ status: "revoked", token_hash: null, revoked_at: T0 }]);
    expect(await rows(h.db, "SELECT status, text_body FROM email_outbox WHERE invitation_id = 9001")).toEqual(
      [{ status: "cancelled", text_body: null }],
    );
    expect(await service().acceptInvitation(h.call(null), { token })).toMatchObject({
      kind: "InvalidInvitationToken",
    });
    expect(await service().resendInvitation(admin(), { invitationId: "9001" })).toMatchObject({
      kind: "InvitationNotPending",
      status: "REVOKED",
    });
  });

  it.each([
    ["an expired invitation", "9004", { kind: "RevokeInvitationSuccess" }],
    ["an accepted invitation", "9002", { kind: "InvitationNotPending", status: "ACCEPTED" }],
    ["a revoked invitation", "9003", { kind: "InvitationNotPending", status: "REVOKED" }],
    ["another tenant's invitation", "9100", { kind: "InvitationNotFound" }],
    ["a malformed id", "nine", { kind: "InvalidInput" }],
  ])("on %s answers as expected", async (_name, invitationId, expected) => {
    expect(await service().revokeInvitation(admin(), { invitationId })).toMatchObject(expected);
  });
});

describe("listing invitations", () => {
  it("pages forward over 250 invitations with no duplicate or gap", async () => {
    for (let i = 0; i < 247; i++) {
      const result = await service().inviteUser(admin(), { email: `bulk${i}@acme.test` });
      expect(result.kind).toBe("InviteUserSuccess");
    }
    const all = (
      await rows<{ id: number }>(h.db, "SELECT id FROM invitations WHERE tenant_id = 1024 ORDER BY id DESC")
    ).map((r) => r.id);
    expect(all.length).toBe(251);
    const seen: number[] = [];
    let after: string | null = null;
    for (;;) {
      const result = await service().listInvitations(admin(), { first: 37, after });
      if (result.kind !== "InvitationPage") throw new Error(result.kind);
      expect(await result.page.totalCount()).toBe(251);
      seen.push(...result.page.items.map((d) => d.invitation.id));
      if (!result.page.hasNextPage) break;
      after = result.page.cursors.at(-1)!;
    }
    expect(seen).toEqual(all);
  });

  it("filters by effective status and by email", async () => {
    const ids = async (request: object) => {
      const result = await service().listInvitations(admin(), request);
      if (result.kind !== "InvitationPage") throw new Error(result.kind);
      return result.page.items.map((d) => d.invitation.id);
    };
    expect(await ids({ status: "PENDING" })).toEqual([9001]);
    expect(await ids({ status: "EXPIRED" })).toEqual([9004]);
    expect(await ids({ status: "ACCEPTED" })).toEqual([9002]);
    expect(await ids({ status: "REVOKED" })).toEqual([9003]);
    expect(await ids({ email: "BOB@acme.test" })).toEqual([9003, 9001].sort((a, b) => b - a));
    expect(await ids({})).not.toContain(9100);
  });

  it.each([
    [{ first: 0 }, "first"],
    [{ first: 101 }, "first"],
    [{ after: "bm9wZQ" }, "after"],
    [{ after: "not a cursor at all" }, "after"],
    [{ email: "nope" }, "email"],
  ])("refuses %j with a clear error naming %s", async (request, field) => {
    expect(await service().listInvitations(admin(), request)).toMatchObject({
      kind: "InvalidInput",
      fieldErrors: [{ path: [field] }],
    });
  });
});

describe("audit trail", () => {
  it("records allowed and refused mutations with actor, target, outcome and request id", async () => {
    await service().inviteUser(admin(), { email: "audit@acme.test" });
    await service().revokeInvitation(admin(), { invitationId: "9002" });
    await service().revokeInvitation(h.call(KEYS.acmeMember), { invitationId: "9001" });
    const result = await service().listAuditEvents(admin(), { first: 10 });
    if (result.kind !== "AuditPage") throw new Error(result.kind);
    expect(result.page.items.map((e) => [e.action, e.outcome, e.actor?.id, e.requestId])).toEqual([
      ["invitation.revoke", "PERMISSION_DENIED", 6, "test-request"],
      ["invitation.revoke", "INVITATION_NOT_PENDING", 1, "test-request"],
      ["invitation.create", "SUCCESS", 1, "test-request"],
    ]);
    const filtered = await service().listAuditEvents(admin(), { action: "invitation.create" });
    if (filtered.kind !== "AuditPage") throw new Error(filtered.kind);
    expect(await filtered.page.totalCount()).toBe(1);
  });

  it("holds no token or link", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    await service().acceptInvitation(h.call(null), { token: lastToken() });
    const dump = JSON.stringify(await rows(h.db, "SELECT * FROM audit_events"));
    expect(dump).not.toContain(lastToken());
    expect(dump).not.toContain("accept?token");
  });

  it("is scoped to the caller's tenant", async () => {
    await service().resendInvitation(admin(), { invitationId: "9001" });
    const result = await service().listAuditEvents(h.call(KEYS.globexAdmin), {});
    expect(result).toMatchObject({ kind: "AuditPage", page: { items: [] } });
    if (result.kind === "AuditPage") expect(await result.page.totalCount()).toBe(0);
  });
});
