import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ACME, GLOBEX, KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { rowCounts } from "./support/db-counts.js";
import { headerSafe, hostileJson, hostileString, SEED } from "./support/hostile.js";
import { expectCleanAnswer, withoutAudit } from "./support/properties.js";

/** Ids of the test fixture, so that some random calls reach real rows (and some succeed). */
const REAL_IDS = [
  ...["9001", "9002", "9003", "9004", "9100", "2", "3", "4", "5", "7", "8", "21"],
  ...[2, 3, 4, 5, 7, 8].map((n) => `0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c000${n}`),
];
/** Well-typed but random, hostile, or of the wrong JSON type. */
const anyOf = (plausible: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 5, arbitrary: plausible },
    { weight: 3, arbitrary: hostileString() },
    { weight: 1, arbitrary: hostileJson() },
  );
const id = anyOf(fc.constantFrom(...REAL_IDS));
const text = anyOf(hostileString());
/** A real address with a character a mail library strips (issue 15.2): must be refused, never stored. */
const disguised = fc
  .tuple(
    fc.constantFrom("nina@acme.test", "bob@acme.test", "new@acme.test"),
    fc.constantFrom("\u0000", "\u0007", "\r\n", "\u200b", "\u202e"),
    fc.nat(),
  )
  .map(
    ([address, char, at]) =>
      address.slice(0, at % address.length) + char + address.slice(at % address.length),
  );
const email = anyOf(
  fc.oneof(
    fc.emailAddress(),
    fc.constantFrom("nina@acme.test", "bob@acme.test", "gus@globex.test"),
    disguised,
  ),
);
const first = anyOf(fc.integer({ min: -5, max: 150 }));
/** Tokens the server has issued so far (read when a value is drawn, so resends earlier in the run count). */
const token = anyOf(fc.nat().map((n) => s.tokens[n % Math.max(1, s.tokens.length)] ?? "no-token-yet"));

/** An input object, usually with its required fields; at times with none, or not an object at all. */
function inputOf(
  fields: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record(fields, { requiredKeys: [...required] }).map((input) => ({ input })) },
    { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }).map((input) => ({ input })) },
    { weight: 1, arbitrary: hostileJson().map((input) => ({ input })) },
  );
}

interface Operation {
  /** The root field, where its answer sits in `data`. */
  readonly field: string;
  readonly mutation: boolean;
  readonly document: string;
  readonly variables: fc.Arbitrary<Record<string, unknown>>;
}

const OUTCOME = "{ __typename ... on UserError { code message } }";
const OPERATIONS: readonly Operation[] = [
  {
    field: "resendInvitation",
    mutation: true,
    document: `mutation($input: ResendInvitationInput!) { resendInvitation(input: $input) ${OUTCOME} }`,
    // Exactly one of the ids is the valid shape; both or neither are worth trying too.
    variables: fc.oneof(
      inputOf({ invitationId: id, clientMutationId: text, idempotencyKey: text }, ["invitationId"]),
      inputOf({ userId: id, clientMutationId: text, idempotencyKey: text }, ["userId"]),
      inputOf({ invitationId: id, userId: id, clientMutationId: text, idempotencyKey: text }),
    ),
  },
  {
    field: "inviteUser",
    mutation: true,
    document: `mutation($input: InviteUserInput!) { inviteUser(input: $input) ${OUTCOME} }`,
    variables: inputOf(
      { email, name: text, role: anyOf(fc.constantFrom("ADMIN", "MEMBER")), clientMutationId: text },
      ["email"],
    ),
  },
  {
    field: "revokeInvitation",
    mutation: true,
    document: `mutation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) ${OUTCOME} }`,
    variables: inputOf({ invitationId: id, clientMutationId: text }, ["invitationId"]),
  },
  {
    field: "acceptInvitation",
    mutation: true,
    document: `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) ${OUTCOME} }`,
    variables: inputOf({ token }, ["token"]),
  },
  {
    field: "invitation",
    mutation: false,
    document: "query($id: ID!) { invitation(id: $id) { id status email invitee { id } } }",
    variables: fc.record({ id }, { requiredKeys: [] }),
  },
  {
    field: "invitations",
    mutation: false,
    document: `query($status: InvitationStatus, $first: Int, $after: String, $email: String) {
      invitations(status: $status, first: $first, after: $after, email: $email) {
        totalCount edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }`,
    variables: fc.record(
      {
        status: anyOf(fc.constantFrom("PENDING", "ACCEPTED", "REVOKED", "EXPIRED")),
        first,
        after: text,
        email,
      },
      { requiredKeys: [] },
    ),
  },
  {
    field: "auditEvents",
    mutation: false,
    document: `query($action: String, $first: Int, $after: String) {
      auditEvents(action: $action, first: $first, after: $after) { totalCount edges { cursor node { id action } } } }`,
    variables: fc.record(
      { action: anyOf(fc.constantFrom("invitation.resend", "invitation.revoke")), first, after: text },
      { requiredKeys: [] },
    ),
  },
];

/** Mostly Acme's admin, so that calls get past authentication; sometimes anyone, or anything. */
const credentials = fc.record({
  key: fc.oneof(
    { weight: 6, arbitrary: fc.constant(KEYS.acmeAdmin) },
    { weight: 2, arbitrary: fc.constantFrom(KEYS.acmeMember, KEYS.globexAdmin, null) },
    { weight: 1, arbitrary: hostileString().map(headerSafe) },
  ),
  style: fc.constantFrom("authorization", "x-api-key"),
  tenant: fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(String(ACME.id), ACME.uuid, GLOBEX.uuid) },
    { weight: 1, arbitrary: hostileString().map(headerSafe) },
  ),
});

function headersOf({ key, style, tenant }: { key: string | null; style: string; tenant: string | null }) {
  return {
    ...(key === null
      ? {}
      : style === "authorization"
        ? { authorization: `Bearer ${key}` }
        : { "x-api-key": key }),
    ...(tenant === null ? {} : { "x-tenant-id": tenant }),
  };
}

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: "0" } });
});
afterAll(() => s.close());

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: await response.text(),
  };
}

it(
  "answers random and hostile arguments of every operation cleanly, writing only on success",
  { timeout: 120_000 },
  async () => {
    const call = fc
      .constantFrom(...OPERATIONS)
      .chain((operation) => fc.tuple(fc.constant(operation), operation.variables, credentials));
    await fc.assert(
      fc.asyncProperty(call, async ([operation, variables, creds]) => {
        // Past the cooldown, so resends can succeed and their writes be checked too.
        s.advance(61_000);
        const headers = headersOf(creds);
        const before = await rowCounts(s.server.database);
        const answer = await post(JSON.stringify({ query: operation.document, variables }), headers);
        expectCleanAnswer(answer, [variables, headers]);
        const outcome = (JSON.parse(answer.body) as { data?: Record<string, { __typename?: string } | null> })
          .data;
        const succeeded = operation.mutation && /Success$/.test(outcome?.[operation.field]?.__typename ?? "");
        if (!succeeded)
          expect(withoutAudit(await rowCounts(s.server.database))).toEqual(withoutAudit(before));
      }),
      { seed: SEED, numRuns: 250 },
    );
    // Whatever was written, no stored address holds a character a mail library would strip.
    const stored = await s.server.database.query<{ email: string | null }>("SELECT email FROM users");
    expect(stored.filter(({ email }) => email !== null && /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(email))).toEqual(
      [],
    );
  },
);

it(
  "answers random and hostile request envelopes cleanly, writing nothing",
  { timeout: 120_000 },
  async () => {
    const envelope = fc.record(
      {
        query: fc.oneof(
          hostileString(),
          fc.constantFrom(...OPERATIONS.map((o) => o.document)),
          hostileJson(),
        ),
        variables: hostileJson(REAL_IDS),
        operationName: hostileJson(),
        extensions: hostileJson(),
      },
      { requiredKeys: [] },
    );
    const raw = fc.oneof(
      { weight: 4, arbitrary: envelope.map((body) => JSON.stringify(body)) },
      { weight: 1, arbitrary: hostileString() },
      { weight: 1, arbitrary: fc.array(envelope, { maxLength: 3 }).map((batch) => JSON.stringify(batch)) },
    );
    await fc.assert(
      fc.asyncProperty(raw, async (body) => {
        const before = await rowCounts(s.server.database);
        const answer = await post(body, { "x-api-key": KEYS.acmeAdmin });
        expectCleanAnswer(answer, body.startsWith("{") || body.startsWith("[") ? JSON.parse(body) : body);
        // Hostile variables may still make a real mutation document succeed; anything else writes nothing.
        if (!answer.body.includes("Success")) {
          expect(withoutAudit(await rowCounts(s.server.database))).toEqual(withoutAudit(before));
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  },
);
