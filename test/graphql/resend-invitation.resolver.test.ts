import { describe, expect, it } from "vitest";
import { useResolverHarness } from "../support/apollo.js";
import { RESEND_MUTATION } from "../support/graphql-client.js";
import { KEYS } from "../support/harness.js";
import { RESEND_CASES } from "../support/resend-cases.js";

const t = useResolverHarness();

/** The GraphQL-visible part of a case's expectation. */
function graphQLShape(expected: Record<string, unknown>) {
  const { kind, code, status, sentTo } = expected;
  return Object.fromEntries(
    Object.entries({ __typename: kind, code, status, sentTo }).filter(([, value]) => value !== undefined),
  );
}

describe("resendInvitation resolver", () => {
  it.each(RESEND_CASES)("$name → $expect.kind", async ({ input, key, tenant, expect: expected }) => {
    const result = await t.run(
      RESEND_MUTATION,
      { input },
      key === undefined ? KEYS.acmeAdmin : key,
      tenant ?? null,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.resendInvitation).toMatchObject(graphQLShape(expected));
  });

  it("returns the rotated invitation and echoes clientMutationId", async () => {
    const result = await t.run(
      RESEND_MUTATION,
      { input: { invitationId: "9004", clientMutationId: "abc-1" } },
      KEYS.acmeAdmin,
    );
    expect(result.data?.resendInvitation).toMatchObject({
      __typename: "ResendInvitationSuccess",
      clientMutationId: "abc-1",
      sentTo: "eve@acme.test",
      invitation: {
        id: "9004",
        status: "PENDING",
        email: "eve@acme.test",
        sendCount: 2,
        expiresAt: new Date(t.h.now() + 168 * 3_600_000).toISOString(),
        lastSentAt: new Date(t.h.now()).toISOString(),
        invitee: { id: "7", email: "eve@acme.test" },
        inviter: { id: "1", name: "Ada Admin" },
      },
    });
  });

  it("carries the error members' own fields", async () => {
    const denied = await t.run(RESEND_MUTATION, { input: { invitationId: "9001" } }, KEYS.acmeMember);
    expect(denied.data?.resendInvitation).toMatchObject({
      code: "PERMISSION_DENIED",
      notices: [expect.stringMatching(/admin/)],
    });
    const invalid = await t.run(RESEND_MUTATION, { input: { userId: "x" } }, KEYS.acmeAdmin);
    expect(invalid.data?.resendInvitation).toMatchObject({
      __typename: "InvalidInput",
      fieldErrors: [{ path: ["input", "userId"], message: expect.any(String) }],
    });
    await t.run(RESEND_MUTATION, { input: { invitationId: "9001" } }, KEYS.acmeAdmin);
    const limited = await t.run(RESEND_MUTATION, { input: { invitationId: "9001" } }, KEYS.acmeAdmin);
    expect(limited.data?.resendInvitation).toMatchObject({
      __typename: "ResendRateLimited",
      retryAfterSeconds: 60,
    });
  });

  it("masks an unexpected failure as INTERNAL_SERVER_ERROR without internals", async () => {
    await t.h.db.database.query("DROP TABLE audit_events");
    const result = await t.run(RESEND_MUTATION, { input: { invitationId: "9001" } }, KEYS.acmeAdmin);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message: "Internal server error",
        path: ["resendInvitation"],
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      },
    ]);
    expect(JSON.stringify(result)).not.toMatch(/audit|SQL|stack/i);
  });

  it("rejects a malformed document with a standard validation error", async () => {
    const result = await t.run("mutation { resendInvitation(input: { nope: 1 }) { __typename } }");
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});
