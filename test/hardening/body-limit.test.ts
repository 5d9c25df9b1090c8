import { afterAll, beforeAll, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Just over the 100 KiB limit, as valid JSON. */
const TOO_LARGE = JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(100 * 1024) } });
const ADMIN = { "x-api-key": KEYS.acmeAdmin, "x-tenant-id": "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0" };
const ROUTES = [
  ["POST", "/graphql"],
  ["POST", "/api/v1/users/2/resend_invitation"],
  ["POST", "/v1/users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002/resend-invite"],
  ["PUT", "/tenant/1024/admin/user/invitation/resend?id=9001"],
  ["POST", "/public/v1/accounts/account-users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002/send-new-invite"],
] as const;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

it.each(ROUTES)("%s %s: a body over 100 KiB is a clean 413 in JSON", async (method, path) => {
  const response = await fetch(`${s.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...ADMIN },
    body: TOO_LARGE,
  });
  expect(response.status).toBe(413);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const text = await response.text();
  expect(() => JSON.parse(text)).not.toThrow();
  expect(text).not.toMatch(/\n\s+at |stack/i);
});

it("gives GraphQL clients the 413 as a GraphQL error", async () => {
  const response = await fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: TOO_LARGE,
  });
  expect(await response.json()).toEqual({
    errors: [{ message: expect.any(String), extensions: { code: "PAYLOAD_TOO_LARGE" } }],
  });
});
