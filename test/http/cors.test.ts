import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACME, KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

const ALLOWED = "http://app.example.test:5173";
const OTHER = "http://evil.example.test";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { CORS_ORIGINS: `${ALLOWED}, https://admin.example.test` } });
});
afterAll(() => server.close());

const preflight = (path: string, origin: string, method = "POST") =>
  fetch(`${server.url}${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": method,
      "access-control-request-headers": "content-type,authorization,x-tenant-id",
    },
  });

const REST_PATHS = [
  { path: "/api/v1/users/2/resend_invitation", method: "POST" },
  { path: `/tenant/${ACME.id}/admin/user/invitation/resend?id=9001`, method: "PUT" },
  { path: "/graphql", method: "POST" },
];

describe("CORS_ORIGINS", () => {
  it.each(REST_PATHS)(
    "answers the preflight of $method $path for a listed origin",
    async ({ path, method }) => {
      const response = await preflight(path, ALLOWED, method);
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      expect(response.headers.get("access-control-allow-methods")).toContain(method);
      expect(response.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    },
  );

  it.each(REST_PATHS)(
    "gives an unlisted origin no CORS headers on $method $path",
    async ({ path, method }) => {
      const response = await preflight(path, OTHER, method);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    },
  );

  it("marks the actual answer for a listed origin and exposes Retry-After and X-Request-Id", async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: {
        origin: ALLOWED,
        "content-type": "application/json",
        authorization: `Bearer ${KEYS.acmeAdmin}`,
      },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-expose-headers")).toMatch(/retry-after/i);
  });

  it("keeps refusing simple cross-site GraphQL requests (CSRF prevention) from any origin", async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent("{ viewer { id } }")}`, {
      headers: { origin: OTHER },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("without CORS_ORIGINS", () => {
  it("sends no CORS headers at all", async () => {
    const plain = await startTestServer();
    try {
      const response = await fetch(`${plain.url}/graphql`, {
        method: "OPTIONS",
        headers: { origin: ALLOWED, "access-control-request-method": "POST" },
      });
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
