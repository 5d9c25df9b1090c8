import { afterAll, beforeAll, expect, it } from "vitest";
import { postGraphQL } from "../support/graphql-client.js";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

// `idempotencyKey` in resendInvitation's input, over real HTTP: a retry replays the first success and sends
// nothing (no new email, no new token); the key with another target is refused; a malformed key is refused.

const RESEND = /* GraphQL */ `
  mutation ($input: ResendInvitationInput!) {
    resendInvitation(input: $input) {
      __typename
      ... on ResendInvitationSuccess {
        replayed
        invitation {
          id
          sendCount
        }
      }
      ... on UserError {
        code
        message
      }
      ... on InvalidInput {
        fieldErrors {
          path
          message
        }
      }
    }
  }
`;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const auth = { authorization: `Bearer ${KEYS.acmeAdmin}` };

async function resend(input: Record<string, unknown>) {
  const { status, body } = await postGraphQL(s.url, { query: RESEND, variables: { input } }, auth);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data?.resendInvitation as Record<string, unknown>;
}

async function sendCountOf(invitationId: string): Promise<number> {
  const { body } = await postGraphQL(
    s.url,
    { query: "query ($id: ID!) { invitation(id: $id) { sendCount } }", variables: { id: invitationId } },
    auth,
  );
  return (body.data?.invitation as { sendCount: number }).sendCount;
}

it("replays a retry with the same key: no second email, the token is not rotated", async () => {
  const before = await sendCountOf("9001");
  const first = await resend({ invitationId: "9001", idempotencyKey: "graphql-retry-1" });
  expect(first).toMatchObject({
    __typename: "ResendInvitationSuccess",
    replayed: false,
    invitation: { id: "9001", sendCount: before + 1 },
  });
  expect(s.tokens).toHaveLength(1);

  const retry = await resend({ invitationId: "9001", idempotencyKey: "graphql-retry-1" });
  expect(retry).toEqual({ ...first, replayed: true });
  expect(s.tokens).toHaveLength(1);
  expect(await sendCountOf("9001")).toBe(before + 1);
});

it("refuses the same key with another target as IdempotencyKeyReused, sending nothing", async () => {
  expect(await resend({ invitationId: "9004", idempotencyKey: "graphql-retry-2" })).toMatchObject({
    __typename: "ResendInvitationSuccess",
  });
  const sent = s.tokens.length;
  const before = await sendCountOf("9001");
  expect(await resend({ invitationId: "9001", idempotencyKey: "graphql-retry-2" })).toMatchObject({
    __typename: "IdempotencyKeyReused",
    code: "IDEMPOTENCY_KEY_REUSED",
  });
  expect(s.tokens).toHaveLength(sent);
  expect(await sendCountOf("9001")).toBe(before);
});

it.each([
  { name: "empty", key: "" },
  { name: "with a space", key: "two words" },
  { name: "not ASCII", key: "clé" },
  { name: "longer than 255 characters", key: "k".repeat(256) },
])("refuses a malformed key ($name) as InvalidInput naming the field, sending nothing", async ({ key }) => {
  const sent = s.tokens.length;
  const before = await sendCountOf("9004");
  expect(await resend({ invitationId: "9004", idempotencyKey: key })).toEqual({
    __typename: "InvalidInput",
    code: "INVALID_INPUT",
    message: expect.any(String),
    fieldErrors: [{ path: ["input", "idempotencyKey"], message: expect.stringMatching(/visible ASCII/) }],
  });
  expect(s.tokens).toHaveLength(sent);
  expect(await sendCountOf("9004")).toBe(before);
});
