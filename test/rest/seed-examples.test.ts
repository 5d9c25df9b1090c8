import { describe, expect, it } from "vitest";
import { ACME, KEYS } from "../support/harness.js";
import { useValidatedServer } from "./validated-server.js";

// Each document's own example request, sent as written (host and key swapped for the test server's).
// The test fixture's tenant is the documents' tenant 1024 with invitation 9001 (002), and its uuid is
// the one 001's example sends in X-Tenant-ID. User ids differ from the examples': pending users stand in.

const t = useValidatedServer();

/**
 * Sends the request and answers what came back, with what the served OpenAPI document objects to in the
 * request (`refusedBySpec`): a gateway validating requests against it (Prism) must let the examples through.
 */
async function send(
  documented: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) {
  const refusedBySpec = t.requestProblems(documented, { method, path, headers, body });
  const response = await fetch(`${t.server.url}${path}`, { method, headers, body });
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, refusedBySpec };
}

describe("seed 000: POST /api/v1/users/{id}/resend_invitation", () => {
  const path = "/api/v1/users/2/resend_invitation";
  const documented = "/api/v1/users/{id}/resend_invitation";

  it("works with the documented headers and the `{}` body", async () => {
    const headers = {
      "X-Api-Key": KEYS.acmeAdmin,
      Accept: "application/json",
      "Content-Type": "application/json",
    };
    const answer = await send(documented, "POST", path, headers, "{}");
    expect(answer.refusedBySpec).toEqual([]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      data: { id: 2, email: "bob@acme.test" },
      meta: { invitation_sent_to: "bob@acme.test", inviter_id: 1 },
    });
    t.checkBody("post", "/api/v1/users/{id}/resend_invitation", answer.status, answer.body);
  });

  it("works as the example's curl actually runs (its missing backslash drops the body)", async () => {
    const headers = { "X-Api-Key": KEYS.acmeAdmin, Accept: "application/json" };
    const answer = await send(documented, "POST", path, headers);
    expect(answer.refusedBySpec).toEqual([]);
    expect(answer.status).toBe(200);
  });
});

describe("seed 001: POST /v1/users/{id}/resend-invite", () => {
  const tenantHeader = { "X-Tenant-ID": "2489E9AD-2EE2-8E00-8EC9-32D5F69181C0" };
  const documented = "/v1/users/{id}/resend-invite";

  it("answers the example exactly as written (no credential) with 401 unauthorized", async () => {
    const answer = await send(
      documented,
      "POST",
      "/v1/users/2489E9AD-2EE2-8E00-8EC9-32D5F69181C0/resend-invite",
      tenantHeader,
    );
    expect(answer).toEqual({
      status: 401,
      body: { code: "unauthorized", message: expect.any(String) },
      // The document refuses it for the same reason.
      refusedBySpec: ["no credential the document's security requirements accept"],
    });
    t.checkBody("post", documented, answer.status, answer.body);
  });

  it("with a key, finds no user under the example's id (the tenant's uuid): 404 not_found", async () => {
    const answer = await send(
      documented,
      "POST",
      "/v1/users/2489E9AD-2EE2-8E00-8EC9-32D5F69181C0/resend-invite",
      { ...tenantHeader, "X-Api-Key": KEYS.acmeAdmin },
    );
    expect(answer).toEqual({
      status: 404,
      body: { code: "not_found", message: expect.any(String) },
      refusedBySpec: [],
    });
  });

  it("resends to a pending user given by an upper-case uuid, as the example writes them", async () => {
    const answer = await send(
      documented,
      "POST",
      "/v1/users/0B6F1C2E-5A1D-4C39-9A57-0C1F4A7C0007/resend-invite",
      { ...tenantHeader, Authorization: `Bearer ${KEYS.acmeAdmin}` },
    );
    expect(answer).toEqual({
      status: 200,
      body: { message: "Invite resent to eve@acme.test." },
      refusedBySpec: [],
    });
    t.checkBody("post", documented, answer.status, answer.body);
  });
});

describe("seed 002: PUT /tenant/{tenantId}/admin/user/invitation/resend?id=", () => {
  it.each([
    [
      "the example path",
      "/api/tenant/1024/invitations/resend?id=9001",
      "/api/tenant/{tenantId}/invitations/resend",
    ],
    [
      "the documented path",
      "/tenant/1024/admin/user/invitation/resend?id=9001",
      "/tenant/{tenantId}/admin/user/invitation/resend",
    ],
  ])("resends invitation 9001 of tenant 1024 at %s", async (_name, path, documented) => {
    const answer = await send(documented, "PUT", path, { "X-Api-Key": KEYS.acmeAdmin });
    expect(answer.refusedBySpec).toEqual([]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      isSuccess: true,
      isFailure: false,
      error: null,
      value: [{ id: 9001, email: "bob@acme.test", status: "Pending", createdAt: "2026-01-10T09:00:00.000Z" }],
    });
    t.checkBody("put", documented, answer.status, answer.body);
  });
});

describe("seed 003: POST /public/v1/accounts/account-users/{id}/send-new-invite", () => {
  it("answers the example request (Accept: */*) with the account-user object", async () => {
    const answer = await send(
      "/public/v1/accounts/account-users/{id}/send-new-invite",
      "POST",
      "/public/v1/accounts/account-users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0008/send-new-invite",
      { Accept: "*/*", "X-Api-Key": KEYS.acmeAdmin },
    );
    expect(answer.refusedBySpec).toEqual([]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0008",
      user: { name: "Nina New" },
      account: { id: ACME.uuid, name: "Acme Procurement" },
      invitation: { url: `https://invites.example.test/invitations/accept?token=${t.server.tokens.at(-1)}` },
    });
    t.checkBody("post", "/public/v1/accounts/account-users/{id}/send-new-invite", answer.status, answer.body);
  });
});
