import { buildSchema, GraphQLEnumType } from "graphql";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { useResolverHarness } from "../support/apollo.js";
import { postGraphQL } from "../support/graphql-client.js";
import { GLOBEX, KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

// The rule the README states: a refusal by the API's rules that reaches the top-level `errors` array (queries
// return plain types, so theirs do) carries a value of the schema's ErrorCode enum in `extensions.code`,
// the same code the mutations' UserError members carry; only a document or variables that do not fit the
// schema keep GraphQL's standard codes.

const ERROR_CODES = (() => {
  const type = buildSchema(readFileSync(join(projectRoot, "schema.graphql"), "utf8")).getType("ErrorCode");
  if (!(type instanceof GraphQLEnumType)) throw new Error("schema.graphql has no ErrorCode enum");
  return type.getValues().map((value) => value.name);
})();

interface Refusal {
  readonly document: string;
  readonly key: string | null;
  readonly tenant?: string;
  readonly code: string;
  /** Extensions beyond `code` the refusal carries. */
  readonly extensions?: Record<string, unknown>;
}

const REFUSALS: Record<string, Refusal> = {
  "invitations without a key": {
    document: `{ invitations { totalCount } }`,
    key: null,
    code: "UNAUTHENTICATED",
  },
  "invitations by a member": {
    document: `{ invitations { totalCount } }`,
    key: KEYS.acmeMember,
    code: "PERMISSION_DENIED",
    extensions: { notices: [expect.any(String)] },
  },
  "invitations naming another tenant": {
    document: `{ invitations { totalCount } }`,
    key: KEYS.acmeAdmin,
    tenant: GLOBEX.uuid,
    code: "TENANT_MISMATCH",
  },
  "invitations with first out of range": {
    document: `{ invitations(first: 0) { totalCount } }`,
    key: KEYS.acmeAdmin,
    code: "INVALID_INPUT",
    extensions: { fieldErrors: [{ path: ["first"], message: expect.any(String) }] },
  },
  "invitations after a forged cursor": {
    document: `{ invitations(after: "garbage") { totalCount } }`,
    key: KEYS.acmeAdmin,
    code: "INVALID_INPUT",
    extensions: { fieldErrors: [{ path: ["after"], message: expect.any(String) }] },
  },
  "invitations for a malformed email": {
    document: `{ invitations(email: "not an address") { totalCount } }`,
    key: KEYS.acmeAdmin,
    code: "INVALID_INPUT",
    extensions: { fieldErrors: [{ path: ["email"], message: expect.any(String) }] },
  },
  "invitation without a key": {
    document: `{ invitation(id: "9001") { id } }`,
    key: null,
    code: "UNAUTHENTICATED",
  },
  "invitation by a member": {
    document: `{ invitation(id: "9001") { id } }`,
    key: KEYS.acmeMember,
    code: "PERMISSION_DENIED",
  },
  "invitation naming another tenant": {
    document: `{ invitation(id: "9001") { id } }`,
    key: KEYS.acmeAdmin,
    tenant: GLOBEX.uuid,
    code: "TENANT_MISMATCH",
  },
  "auditEvents without a key": {
    document: `{ auditEvents { totalCount } }`,
    key: null,
    code: "UNAUTHENTICATED",
  },
  "auditEvents by a member": {
    document: `{ auditEvents { totalCount } }`,
    key: KEYS.acmeMember,
    code: "PERMISSION_DENIED",
  },
  "auditEvents naming another tenant": {
    document: `{ auditEvents { totalCount } }`,
    key: KEYS.acmeAdmin,
    tenant: GLOBEX.uuid,
    code: "TENANT_MISMATCH",
  },
  "auditEvents with first too large": {
    document: `{ auditEvents(first: 101) { totalCount } }`,
    key: KEYS.acmeAdmin,
    code: "INVALID_INPUT",
    extensions: { fieldErrors: [{ path: ["first"], message: expect.any(String) }] },
  },
  "auditEvents after a forged cursor": {
    document: `{ auditEvents(after: "v2:nope") { totalCount } }`,
    key: KEYS.acmeAdmin,
    code: "INVALID_INPUT",
  },
  "viewer naming another tenant": {
    document: `{ viewer { id } }`,
    key: KEYS.acmeAdmin,
    tenant: GLOBEX.uuid,
    code: "TENANT_MISMATCH",
  },
};

const t = useResolverHarness();

it("reads the ErrorCode enum from the committed schema", () => {
  expect(ERROR_CODES).toEqual(
    expect.arrayContaining(["UNAUTHENTICATED", "PERMISSION_DENIED", "INVALID_INPUT"]),
  );
});

describe.each(Object.keys(REFUSALS))("%s", (name) => {
  it("answers a top-level error coded with an ErrorCode value, not GraphQL's generic codes", async () => {
    const refusal = REFUSALS[name]!;
    const result = await t.run(refusal.document, {}, refusal.key, refusal.tenant ?? null);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors!;
    expect(ERROR_CODES).toContain(error!.extensions?.code);
    expect(error).toMatchObject({
      message: expect.any(String),
      extensions: { code: refusal.code, ...refusal.extensions },
    });
    expect(error!.extensions).not.toHaveProperty("stacktrace");
  });
});

describe("over HTTP", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: "2" } });
  });
  afterAll(() => s.close());

  it("answers a refused query with HTTP 200, data null and the ErrorCode in the error", async () => {
    const response = await postGraphQL(s.url, { query: `{ invitations { totalCount } }` });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: null,
      errors: [expect.objectContaining({ extensions: { code: "UNAUTHENTICATED" } })],
    });
  });

  it("keeps GraphQL's standard code for variables that do not fit the schema (the contract's rule)", async () => {
    const response = await postGraphQL(
      s.url,
      {
        query: `query($s: InvitationStatus) { invitations(status: $s) { totalCount } }`,
        variables: { s: "NOPE" },
      },
      { authorization: `Bearer ${KEYS.acmeAdmin}` },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
  });

  it("answers the request rate limit with RATE_LIMITED, an ErrorCode value", async () => {
    const ask = () => postGraphQL(s.url, { query: `{ viewer { id } }` }, { "x-api-key": KEYS.globexAdmin });
    let response = await ask();
    while (response.status !== 429) response = await ask();
    const code = (response.body.errors?.[0] as { extensions?: { code?: unknown } }).extensions?.code;
    expect(code).toBe("RATE_LIMITED");
    expect(ERROR_CODES).toContain(code);
  });
});
