import { expect, it } from "vitest";
import { leakIn } from "./support/hostile.js";

// The property tests are only as good as this check: it must see leaks, and not mistake echoed input for one.
it("finds stack frames, SQLite errors, SQL and masked internals", () => {
  for (const body of [
    '{"message":"boom\\n    at Object.resend (/app/src/invitations/resend.ts:10:5)"}',
    '{"error":"SQLITE_CONSTRAINT: UNIQUE constraint failed"}',
    '{"error":"near \\"x\\": syntax error in SELECT id FROM invitations"}',
    '{"errors":[{"extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}',
  ]) {
    expect(leakIn(body, [])).not.toBeNull();
  }
});

it("ignores the request's own values echoed back", () => {
  const sent = "1; SELECT key_hash FROM api_keys --";
  const body = JSON.stringify({ message: `No invitation ${sent}` });
  expect(leakIn(body, [sent])).toBeNull();
  expect(leakIn(body, [])).not.toBeNull();
});
