import { afterAll, beforeAll, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { RESEND_MUTATION } from "../support/graphql-client.js";
import { startLoggedServer, type LoggedServer } from "./support/logged-server.js";

/** What no response may carry: stack frames, the database's errors, SQL. */
const LEAKS = /\n\s+at |SQLITE|sqlite|postgres|Pool|relation |SELECT |INSERT |UPDATE |\.ts:\d+/;

let s: LoggedServer;
beforeAll(async () => {
  s = await startLoggedServer();
  // The database gone: every service call now throws.
  await s.server.database.close();
});
afterAll(() => s.close());

const auth = { authorization: `Bearer ${KEYS.acmeAdmin}` };

it("answers GraphQL with a bare INTERNAL_SERVER_ERROR and logs the cause with the request id", async () => {
  for (const request of [
    { query: "{ invitations { totalCount } }" },
    { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
  ]) {
    const response = await fetch(`${s.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(request),
    });
    const text = await response.text();
    expect(response.status).toBeLessThan(500);
    expect(text).not.toMatch(LEAKS);
    const body = JSON.parse(text) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: "Internal server error",
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      }),
    ]);
    const requestId = response.headers.get("x-request-id");
    const logged = s.lines
      .map((line) => JSON.parse(line) as { msg?: string; reqId?: string; err?: unknown })
      .filter((entry) => entry.msg === "unexpected GraphQL error" && entry.reqId === requestId);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]?.err).toBeDefined();
  }
});

it("answers a REST path with a 500 that says nothing of the cause", async () => {
  const response = await fetch(`${s.url}/api/v1/users/2/resend_invitation`, {
    method: "POST",
    headers: auth,
  });
  expect(response.status).toBe(500);
  expect(await response.text()).not.toMatch(LEAKS);
});
