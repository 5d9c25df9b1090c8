import { afterAll, beforeAll, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

const LIMIT = 5;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
});
afterAll(() => s.close());

const viewer = (headers: Record<string, string>) =>
  fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query: "{ viewer { id } }" }),
  });

async function useUp(headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < LIMIT; i++) expect((await viewer(headers)).status).toBe(200);
}

it("answers a key's request over the limit with 429, Retry-After and a GraphQL error", async () => {
  const key = { authorization: `Bearer ${KEYS.acmeMember}` };
  await useUp(key);
  const refused = await viewer(key);
  expect(refused.status).toBe(429);
  const retryAfter = Number(refused.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(await refused.json()).toEqual({
    errors: [
      {
        message: expect.stringMatching(/too many requests/i),
        extensions: { code: "RATE_LIMITED", retryAfterSeconds: retryAfter },
      },
    ],
  });
});

it("counts a key the same in either header and on every route, and leaves other keys alone", async () => {
  await useUp({ "x-api-key": KEYS.globexAdmin });
  const rest = await fetch(`${s.url}/api/v1/users/21/resend_invitation`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEYS.globexAdmin}` },
  });
  expect(rest.status).toBe(429);
  expect(rest.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(rest.headers.get("content-type")).toMatch(/^application\/json/);

  expect((await viewer({ authorization: `Bearer ${KEYS.acmeAdmin}` })).status).toBe(200);
});

it("limits requests without a valid key by client address, so made-up keys buy no budget", async () => {
  await useUp({});
  expect((await viewer({})).status).toBe(429);
  expect((await viewer({ "x-api-key": "not-a-key-1" })).status).toBe(429);
  expect((await viewer({ authorization: "Bearer not-a-key-2" })).status).toBe(429);
  // A real key keeps its own budget.
  expect((await viewer({ authorization: `Bearer ${KEYS.acmeAdmin}` })).status).toBe(200);
});

it("never limits the health probes", async () => {
  for (let i = 0; i < LIMIT * 3; i++) {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
  }
});
