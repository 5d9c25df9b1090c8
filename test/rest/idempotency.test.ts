import { describe, expect, it } from "vitest";
import { ACME, KEYS } from "../support/harness.js";
import { useValidatedServer } from "./validated-server.js";

// Idempotency-Key on the REST paths: a retry replays the first answer and sends nothing. (Another target
// under a used key is 422: see the scenario table.)

const OPERATIONS = [
  {
    method: "POST",
    path: "/api/v1/users/2/resend_invitation",
    documented: "/api/v1/users/{id}/resend_invitation",
  },
  {
    method: "POST",
    path: "/v1/users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0008/resend-invite",
    documented: "/v1/users/{id}/resend-invite",
  },
  {
    method: "PUT",
    path: "/tenant/1024/admin/user/invitation/resend?id=9004",
    documented: "/tenant/{tenantId}/admin/user/invitation/resend",
  },
  {
    method: "POST",
    path: "/public/v1/accounts/account-users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002/send-new-invite",
    documented: "/public/v1/accounts/account-users/{id}/send-new-invite",
  },
] as const;

const t = useValidatedServer();

async function send(op: (typeof OPERATIONS)[number], idempotencyKey: string) {
  const headers = {
    "x-api-key": KEYS.acmeAdmin,
    "x-tenant-id": ACME.uuid,
    "idempotency-key": idempotencyKey,
  };
  const refusedBySpec = t.requestProblems(op.documented, { method: op.method, path: op.path, headers });
  const response = await fetch(`${t.server.url}${op.path}`, { method: op.method, headers });
  const answer = { status: response.status, body: (await response.json()) as Record<string, unknown> };
  t.checkBody(op.method.toLowerCase(), op.documented, answer.status, answer.body);
  // The server and the document agree on the key's form: 400 exactly when the document refuses it.
  if (answer.status === 400) expect(refusedBySpec).toEqual([expect.stringContaining("Idempotency-Key")]);
  else expect(refusedBySpec).toEqual([]);
  return answer;
}

describe.each(OPERATIONS)("Idempotency-Key on $method $documented", (op) => {
  it("replays the first answer to a retry, without sending again", async () => {
    const key = `retry-${op.documented}`;
    const first = await send(op, key);
    expect(first.status).toBe(200);
    const sent = t.server.tokens.length;
    const retry = await send(op, key);
    expect(t.server.tokens.length).toBe(sent);
    expect(retry.status).toBe(200);
    // The accept link is shown once: 003's replay carries everything but it.
    if (op.documented.includes("send-new-invite")) {
      const invitation = first.body.invitation as Record<string, unknown>;
      expect(retry.body).toEqual({ ...first.body, invitation: { ...invitation, url: null } });
    } else {
      expect(retry.body).toEqual(first.body);
    }
  });

  it("refuses a malformed key with the document's 400", async () => {
    const answer = await send(op, "has spaces in it");
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/invalid_request|ValidationError/);
    // Named as the client sent it: the header, not the service's input field.
    expect(JSON.stringify(answer.body)).toContain("Idempotency-Key");
    expect(JSON.stringify(answer.body)).not.toContain("idempotencyKey");
  });
});
