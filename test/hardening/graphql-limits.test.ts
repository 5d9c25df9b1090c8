import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPHQL_LIMITS } from "../../src/graphql/apollo.js";
import { postGraphQL } from "../support/graphql-client.js";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** The introspection query GraphiQL sends, with every option on (the largest form). */
const INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
const REFUSAL_CODES = ["GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "BAD_REQUEST"];
const admin = { authorization: `Bearer ${KEYS.acmeAdmin}` };

/** `{ __schema { queryType { fields { type { ofType … { name } } } } } }`: `depth` levels, leaf included. */
function introspectionOfDepth(depth: number): string {
  const ofTypes = depth - 5;
  return `{ __schema { queryType { fields { type { ${"ofType { ".repeat(ofTypes)}name${" }".repeat(ofTypes)} } } } } }`;
}

const INVITATION_FIELDS = `id uuid status email expiresAt sendCount lastSentAt createdAt
  invitee { id uuid name email emailVerified kind role createdAt }
  inviter { id uuid name email emailVerified kind role createdAt }
  lastDelivery { attempts deliveredAt lastError queuedAt status }`;
const fullPage = (alias: string) =>
  `${alias}: invitations(first: 100) { totalCount edges { cursor node { ${INVITATION_FIELDS} } } }`;

let dev: TestServer;
let production: TestServer;
beforeAll(async () => {
  [dev, production] = await Promise.all([
    startTestServer(),
    startTestServer({ env: { NODE_ENV: "production" } }),
  ]);
});
afterAll(() => Promise.all([dev.close(), production.close()]));

async function expectRefused(query: string, message: RegExp, headers: Record<string, string> = {}) {
  const response = await postGraphQL(dev.url, { query }, headers);
  expect(response.status).toBe(400);
  expect(response.body.data).toBeUndefined();
  const [error] = response.body.errors as { message: string; extensions: { code: string } }[];
  expect(error?.message).toMatch(message);
  expect(REFUSAL_CODES).toContain(error?.extensions.code);
  expect(JSON.stringify(response.body)).not.toContain("stacktrace");
}

async function expectAccepted(query: string, headers: Record<string, string> = {}) {
  const response = await postGraphQL(dev.url, { query }, headers);
  expect(response.body.errors).toBeUndefined();
  expect(response.status).toBe(200);
}

describe("GraphQL document limits", () => {
  it("lets GraphiQL's introspection query through, with depth and cost counting introspection", async () => {
    const response = await postGraphQL(dev.url, { query: INTROSPECTION });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveProperty("__schema.queryType.name", "Query");
  });

  it(`refuses depth above ${GRAPHQL_LIMITS.depth}`, async () => {
    await expectAccepted(introspectionOfDepth(GRAPHQL_LIMITS.depth));
    await expectRefused(introspectionOfDepth(GRAPHQL_LIMITS.depth + 1), /depth limit of 15 exceeded/);
  });

  it("counts a fragment's depth where it is spread deepest, not where it was first seen", async () => {
    // T (2 deep) is spread at depth 2, then again below `ofTypes` wrappers at depth 4 + ofTypes.
    const spreadDeep = (ofTypes: number) => `{ __schema { types { ...T } queryType { fields { type {
      ${"ofType { ".repeat(ofTypes)}...T${" }".repeat(ofTypes)} } } } } }
      fragment T on __Type { name fields { name } }`;
    await expectAccepted(spreadDeep(9));
    await expectRefused(spreadDeep(10), /depth limit of 15 exceeded, found 16/);
  });

  it(`refuses more than ${GRAPHQL_LIMITS.aliases} aliases`, async () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(" ")} }`;
    await expectAccepted(aliases(GRAPHQL_LIMITS.aliases));
    await expectRefused(aliases(GRAPHQL_LIMITS.aliases + 1), /Aliases limit of 10 exceeded/);
  });

  it(`refuses more than ${GRAPHQL_LIMITS.tokens} tokens, before parsing the rest`, async () => {
    // `{ viewer { id … } }`: five tokens around the ids. So many equal fields fail validation (graphql-js
    // aborts comparing them), so at the limit the test only asks that parsing went through.
    const tokens = (n: number) => `{ viewer { ${"id ".repeat(n - 5)}} }`;
    const atLimit = await postGraphQL(dev.url, { query: tokens(GRAPHQL_LIMITS.tokens) });
    expect(JSON.stringify(atLimit.body.errors)).not.toMatch(/GRAPHQL_PARSE_FAILED|tokens/);
    await expectRefused(tokens(GRAPHQL_LIMITS.tokens + 1), /more th.. 1000 tokens/);
  });

  it(`refuses a cost above ${GRAPHQL_LIMITS.cost}: one full page of 100 passes, two do not`, async () => {
    await expectAccepted(`{ ${fullPage("one")} }`, admin);
    await expectRefused(`{ ${fullPage("one")} ${fullPage("two")} }`, /Cost limit of 20000 exceeded/, admin);
  });

  it(`refuses more than ${GRAPHQL_LIMITS.directives} directives`, async () => {
    const directives = (n: number) => `{ ${"__typename @include(if: true) ".repeat(n)}}`;
    await expectAccepted(directives(GRAPHQL_LIMITS.directives));
    await expectRefused(directives(GRAPHQL_LIMITS.directives + 1), /Directives limit of 10 exceeded/);
  });
});

describe("GraphQL over HTTP", () => {
  it("refuses batched requests (allowBatchedHttpRequests: false)", async () => {
    const response = await fetch(`${dev.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batching/i);
  });

  it("refuses a form-like POST a browser could send cross-site (CSRF prevention)", async () => {
    const response = await fetch(`${dev.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
  });
});

describe("NODE_ENV=production", () => {
  const misspelt = [
    { query: "{ viewer { nam } }" },
    { query: "{ invitations(status: PENDIN) { totalCount } }" },
    {
      query: "query($s: InvitationStatus) { invitations(status: $s) { totalCount } }",
      variables: { s: "PENDIN" },
    },
  ];

  it("turns introspection off", async () => {
    const response = await postGraphQL(production.url, { query: INTROSPECTION });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.errors)).toMatch(/introspection is not allowed/);
  });

  it("names no field, type or enum value in suggestions (development still does)", async () => {
    for (const request of misspelt) {
      const inProduction = await postGraphQL(production.url, request, admin);
      expect(inProduction.status).toBe(400);
      expect(JSON.stringify(inProduction.body)).not.toMatch(/Did you mean|"name"|PENDING/);
      const inDevelopment = await postGraphQL(dev.url, request, admin);
      expect(JSON.stringify(inDevelopment.body)).toMatch(/Did you mean/);
    }
  });
});
