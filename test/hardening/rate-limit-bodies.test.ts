import { afterAll, beforeAll, expect, it } from "vitest";
import { ACME, KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { fetchOpenApiDocument, responseValidator } from "../rest/openapi-validator.js";

// The per-key request limit's 429 on every channel, in the shape each channel gives a resend's 429: GraphQL's
// RATE_LIMITED with retryAfterSeconds, and each REST document's own rate_limited body.

const LIMIT = 3;
const BOB = "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002";

let s: TestServer;
let checkBody: ReturnType<typeof responseValidator>;
beforeAll(async () => {
  s = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  checkBody = responseValidator(await fetchOpenApiDocument(s.url));
  // The budget of the key every request below presents.
  for (let i = 0; i < LIMIT; i++) expect((await viewer()).status).toBe(200);
});
afterAll(() => s.close());

const key = { "x-api-key": KEYS.acmeAdmin };
const viewer = () =>
  fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...key },
    body: JSON.stringify({ query: "{ viewer { id } }" }),
  });

/** The refused answer, with the seconds its Retry-After header gives. */
async function refused(path: string, init: RequestInit) {
  const response = await fetch(`${s.url}${path}`, { ...init, headers: { ...key, ...init.headers } });
  expect(response.status).toBe(429);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  return { body: (await response.json()) as unknown, retryAfter };
}

it("GraphQL: a RATE_LIMITED error with retryAfterSeconds", async () => {
  const { body, retryAfter } = await refused("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ viewer { id } }" }),
  });
  expect(body).toEqual({
    errors: [
      {
        message: expect.stringMatching(/too many requests/i),
        extensions: { code: "RATE_LIMITED", retryAfterSeconds: retryAfter },
      },
    ],
  });
});

it("000: its error body with code rate_limited", async () => {
  const { body } = await refused("/api/v1/users/2/resend_invitation", { method: "POST" });
  expect(body).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/too many/i) } });
  checkBody("post", "/api/v1/users/{id}/resend_invitation", 429, body);
});

it("001: code rate_limited with details.retryAfterSeconds", async () => {
  const { body, retryAfter } = await refused(`/v1/users/${BOB}/resend-invite`, {
    method: "POST",
    headers: { "x-tenant-id": ACME.uuid },
  });
  expect(body).toEqual({
    code: "rate_limited",
    message: expect.stringMatching(/too many/i),
    details: { retryAfterSeconds: retryAfter },
  });
  checkBody("post", "/v1/users/{id}/resend-invite", 429, body);
});

it.each([
  ["/tenant/1024/admin/user/invitation/resend?id=9001", "/tenant/{tenantId}/admin/user/invitation/resend"],
  ["/api/tenant/1024/invitations/resend?id=9001", "/api/tenant/{tenantId}/invitations/resend"],
])("002 (%s): a failed Result with code RateLimited", async (path, documented) => {
  const { body, retryAfter } = await refused(path, { method: "PUT" });
  expect(body).toEqual({
    isSuccess: false,
    isFailure: true,
    error: {
      code: "RateLimited",
      message: expect.stringMatching(/too many/i),
      info: [`Retry after ${retryAfter} seconds.`],
    },
    value: null,
  });
  checkBody("put", documented, 429, body);
});

it("003: as 001", async () => {
  const { body, retryAfter } = await refused(`/public/v1/accounts/account-users/${BOB}/send-new-invite`, {
    method: "POST",
  });
  expect(body).toEqual({
    code: "rate_limited",
    message: expect.stringMatching(/too many/i),
    details: { retryAfterSeconds: retryAfter },
  });
  checkBody("post", "/public/v1/accounts/account-users/{id}/send-new-invite", 429, body);
});

it("other routes: the plain JSON error body with code rate_limited", async () => {
  const { body } = await refused("/openapi.json", { method: "GET" });
  expect(body).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/too many/i) } });
});
