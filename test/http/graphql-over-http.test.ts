import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COOLDOWN_SECONDS, KEYS, rows } from "../support/harness.js";
import { postGraphQL, RESEND_MUTATION } from "../support/graphql-client.js";
import { RESEND_CASES } from "../support/resend-cases.js";
import { startTestServer, type TestServer } from "../support/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());
// Each case starts clear of the previous one's cooldown.
beforeEach(() => s.advance(COOLDOWN_SECONDS * 1000));

const headersFor = (key: string | null, tenant: string | null, style: "bearer" | "x-api-key" = "bearer") => ({
  ...(key === null ? {} : style === "bearer" ? { authorization: `Bearer ${key}` } : { "x-api-key": key }),
  ...(tenant === null ? {} : { "x-tenant-id": tenant }),
});

describe("resendInvitation over HTTP", () => {
  it.each(RESEND_CASES)("$name → $expect.kind", async ({ input, key, tenant, expect: expected }) => {
    const style = expected.kind === "ResendInvitationSuccess" && input.userId ? "x-api-key" : "bearer";
    const response = await postGraphQL(
      s.url,
      { query: RESEND_MUTATION, variables: { input } },
      headersFor(key === undefined ? KEYS.acmeAdmin : key, tenant ?? null, style),
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.resendInvitation).toMatchObject({
      __typename: expected.kind,
      ...(expected.code ? { code: expected.code } : {}),
      ...(expected.sentTo ? { sentTo: expected.sentTo } : {}),
    });
  });

  it("accepts the key in X-Api-Key as well as Authorization: Bearer", async () => {
    for (const style of ["bearer", "x-api-key"] as const) {
      s.advance(COOLDOWN_SECONDS * 1000);
      const response = await postGraphQL(
        s.url,
        { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
        headersFor(KEYS.acmeAdmin, null, style),
      );
      expect(response.body.data?.resendInvitation).toMatchObject({ __typename: "ResendInvitationSuccess" });
    }
  });

  it("treats two different keys, or a non-Bearer Authorization, as unauthenticated", async () => {
    const attempts: Record<string, string>[] = [
      { authorization: `Bearer ${KEYS.acmeAdmin}`, "x-api-key": KEYS.globexAdmin },
      { authorization: `Basic ${KEYS.acmeAdmin}` },
    ];
    for (const headers of attempts) {
      const response = await postGraphQL(
        s.url,
        { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
        headers,
      );
      expect(response.body.data?.resendInvitation).toMatchObject({ __typename: "Unauthenticated" });
    }
  });

  it("lets 20 concurrent resends of one invitation produce one success and one queued email", async () => {
    const before = await outboxRows(9001);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        postGraphQL(
          s.url,
          { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
          headersFor(KEYS.acmeAdmin, null),
        ),
      ),
    );
    const kinds = responses.map((r) => (r.body.data?.resendInvitation as { __typename: string }).__typename);
    expect(kinds.filter((k) => k === "ResendInvitationSuccess")).toHaveLength(1);
    expect(kinds.filter((k) => k === "ResendRateLimited")).toHaveLength(19);
    expect(await outboxRows(9001)).toBe(before + 1);
  });
});

describe("HTTP surface", () => {
  it("echoes a sane X-Request-Id and makes one up otherwise", async () => {
    const given = await fetch(`${s.url}/healthz`, { headers: { "x-request-id": "trace-123" } });
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    const made = await fetch(`${s.url}/healthz`, { headers: { "x-request-id": "bad id with spaces" } });
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers /healthz and /readyz", async () => {
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("gives a malformed GraphQL request the standard 400", async () => {
    const response = await postGraphQL(s.url, { query: "mutation { resendInvitation(" });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: "GRAPHQL_PARSE_FAILED" } });
  });

  it("refuses a cross-site-style GET mutation (CSRF prevention)", async () => {
    const response = await fetch(`${s.url}/graphql?query=${encodeURIComponent("{ viewer { id } }")}`);
    expect(response.status).toBe(400);
  });
});

async function outboxRows(invitationId: number): Promise<number> {
  const [row] = await rows<{ n: number }>(
    s.server.database,
    "SELECT count(*) AS n FROM email_outbox WHERE invitation_id = ?",
    invitationId,
  );
  return row!.n;
}
