import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLoggedServer, type LoggedServer } from "../hardening/support/logged-server.js";

// Automatic persisted queries (Apollo's APQ protocol): a hash that does not match the query is the client's
// mistake, answered 400 with Apollo's message, never a masked INTERNAL_SERVER_ERROR logged as our fault.

const QUERY = "{ __typename }";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let s: LoggedServer;
beforeAll(async () => {
  s = await startLoggedServer();
});
afterAll(() => s.close());

async function post(body: unknown) {
  const response = await fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const persisted = (sha256Hash: string, version = 1) => ({ persistedQuery: { version, sha256Hash } });

it("answers a hash that does not match the query with 400 and Apollo's message, logged below error", async () => {
  const logged = s.lines.length;
  expect(await post({ query: QUERY, extensions: persisted("0".repeat(64)) })).toEqual({
    status: 400,
    body: {
      errors: [{ message: "provided sha does not match query", extensions: { code: "BAD_REQUEST" } }],
    },
  });
  const errors = s.lines.slice(logged).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
  expect(errors).toEqual([]);
});

it("answers an unsupported protocol version with 400", async () => {
  expect(await post({ query: QUERY, extensions: persisted(sha256(QUERY), 2) })).toEqual({
    status: 400,
    body: {
      errors: [{ message: "Unsupported persisted query version", extensions: { code: "BAD_REQUEST" } }],
    },
  });
});

it("registers a query under its hash and then runs it from the hash alone", async () => {
  const query = "{ viewer { id } }";
  const unknown = await post({ extensions: persisted(sha256(query)) });
  expect(unknown.body).toEqual({
    errors: [{ message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }],
  });
  expect(await post({ query, extensions: persisted(sha256(query)) })).toEqual({
    status: 200,
    body: { data: { viewer: null } },
  });
  expect(await post({ extensions: persisted(sha256(query)) })).toEqual({
    status: 200,
    body: { data: { viewer: null } },
  });
});
