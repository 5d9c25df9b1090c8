import { afterAll, beforeAll, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

// 003 returns the new accept link (a credential for the invitee): no cache, shared or private, may keep it.

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const BOB = "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002";

it("answers 003 with Cache-Control: no-store when the body carries the accept link", async () => {
  const response = await fetch(`${s.url}/public/v1/accounts/account-users/${BOB}/send-new-invite`, {
    method: "POST",
    headers: { "x-api-key": KEYS.acmeAdmin },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { invitation: { url: string } };
  expect(body.invitation.url).toContain(`token=${s.tokens.at(-1)}`);
  expect(response.headers.get("cache-control")).toBe("no-store");
});
