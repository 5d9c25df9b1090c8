import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { RESEND_MUTATION } from "../support/graphql-client.js";
import { startLoggedServer, type LoggedServer } from "./support/logged-server.js";

const BOGUS_BEARER = "bogus-key-that-must-not-be-logged-1";
const BOGUS_X_API_KEY = "bogus-key-that-must-not-be-logged-2";
const COOKIE_SECRET = "session-cookie-secret-0123456789";
const ACCEPT_MUTATION = `mutation Accept($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { __typename }
}`;

let s: LoggedServer;
/** X-Request-Id of every response, to find each request in the log. */
const requestIds: string[] = [];

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${s.url}${path}`, init);
  await response.arrayBuffer();
  requestIds.push(response.headers.get("x-request-id") ?? "missing");
  return response;
}

function graphql(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  s = await startLoggedServer();
  // Resends (with the key in either header), accepts (GraphQL variables, the link, the form), bad keys,
  // a REST path, a cookie, a malformed body quoting a token, a token in a GET query string, and delivery.
  await graphql(
    { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
    { authorization: `Bearer ${KEYS.acmeAdmin}`, cookie: `sid=${COOKIE_SECRET}` },
  );
  await graphql({ query: ACCEPT_MUTATION, variables: { input: { token: s.tokens[0] } } });
  await graphql(
    { query: RESEND_MUTATION, variables: { input: { invitationId: "9100" } } },
    { "x-api-key": KEYS.globexAdmin },
  );
  await call(`/invitations/accept?token=${s.tokens[1]}`);
  await call("/invitations/accept", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `token=${s.tokens[1]}`,
  });
  await graphql(
    { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
    {
      authorization: `Bearer ${BOGUS_BEARER}`,
    },
  );
  await call("/api/v1/users/7/resend_invitation", {
    method: "POST",
    headers: { "x-api-key": BOGUS_X_API_KEY },
  });
  await call("/api/v1/users/7/resend_invitation", {
    method: "POST",
    headers: { "x-api-key": KEYS.acmeAdmin },
  });
  await call("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: `{"query":"mutation { acceptInvitation(input: {token: \\"${s.tokens[2]}\\"}) { __typename } }"`,
  });
  await call(
    `/graphql?query=${encodeURIComponent(`mutation { acceptInvitation(input: {token: "${s.tokens[2]}"}) { __typename } }`)}`,
    { headers: { "apollo-require-preflight": "true" } },
  );
  // URLs Fastify refuses before routing (bad escape, over-long parameter) and one with no route.
  for (const path of [
    "/invitations/accept%zz",
    `/api/v1/users/${"9".repeat(120)}/resend_invitation`,
    "/nowhere",
  ]) {
    await call(`${path}?token=${s.tokens[2]}`, { method: "POST" });
  }
  await s.server.delivery.runOnce();
});
afterAll(() => s.close());

describe("logs", () => {
  it("is set up as intended: three tokens issued, requests made", () => {
    expect(s.tokens).toHaveLength(3);
    expect(requestIds).not.toContain("missing");
  });

  it("writes every line as JSON", () => {
    expect(s.lines.length).toBeGreaterThan(requestIds.length);
    for (const line of s.lines) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it("never contains an API key, a token, a cookie or a token= parameter", () => {
    const log = s.lines.join("\n");
    for (const secret of [
      ...Object.values(KEYS),
      BOGUS_BEARER,
      BOGUS_X_API_KEY,
      ...s.tokens,
      COOKIE_SECRET,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain("token=");
  });

  it("gives every request line the request id, and logs every request", () => {
    const entries = s.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = entries.filter((entry) => "req" in entry || "res" in entry);
    for (const entry of requestLines) expect(entry).toHaveProperty("reqId", expect.any(String));
    const logged = new Set(requestLines.map((entry) => entry.reqId));
    for (const id of requestIds) expect(logged).toContain(id);
  });
});
