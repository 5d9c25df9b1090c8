import { afterAll, beforeAll, expect, it } from "vitest";
import { postGraphQL } from "../support/graphql-client.js";
import { KEYS, rows } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

// Issue 15.2: one mailbox must not become several users (and several cap counts) through characters that a
// mail library strips when sending.

const INVITE = `mutation($input: InviteUserInput!) {
  inviteUser(input: $input) { __typename ... on InvalidInput { code fieldErrors { path message } } }
}`;
const TRICKS = [
  "v\u0000ictim@acme.test",
  "vic\u0007tim@acme.test",
  "victim@acme.test\r\n",
  "victim@acme.test\nBcc: x@evil.test",
  "victim\u200b@acme.test",
  "\u202evictim@acme.test",
  "victim@acme.test\u2028",
];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { MAX_EMAILS_PER_RECIPIENT_PER_DAY: "2", RESEND_COOLDOWN_SECONDS: "0" },
  });
});
afterAll(() => server.close());

it.each(TRICKS.map((email) => ({ email, shown: JSON.stringify(email) })))(
  "refuses inviteUser of $shown with InvalidInput on input.email, writing no user",
  async ({ email }) => {
    const before = await rows<{ n: number }>(server.server.database, "SELECT count(*) AS n FROM users");
    const response = await postGraphQL(
      server.url,
      { query: INVITE, variables: { input: { email } } },
      {
        authorization: `Bearer ${KEYS.acmeAdmin}`,
      },
    );
    expect(response.body.data?.inviteUser).toEqual({
      __typename: "InvalidInput",
      code: "INVALID_INPUT",
      fieldErrors: [{ path: ["input", "email"], message: "Must be a valid email address." }],
    });
    expect(await rows(server.server.database, "SELECT count(*) AS n FROM users")).toEqual(before);
  },
);

it("lets one mailbox receive no more than its daily cap, however its address is dressed", async () => {
  const sent: string[] = [];
  for (const email of ["victim@acme.test", ...TRICKS, "VICTIM@acme.test", " victim@acme.test "]) {
    const response = await postGraphQL(
      server.url,
      {
        query: `mutation($e: String!) { inviteUser(input: { email: $e }) { __typename } }`,
        variables: { e: email },
      },
      { authorization: `Bearer ${KEYS.acmeAdmin}` },
    );
    sent.push((response.body.data?.inviteUser as { __typename: string }).__typename);
  }
  expect(sent.filter((kind) => kind === "InviteUserSuccess")).toHaveLength(1);
  expect(
    await rows(
      server.server.database,
      "SELECT count(*) AS n FROM email_outbox WHERE to_address LIKE '%victim%'",
    ),
  ).toEqual([{ n: 1 }]);
  expect(await rows(server.server.database, "SELECT email FROM users WHERE email LIKE '%victim%'")).toEqual([
    { email: "victim@acme.test" },
  ]);
});
