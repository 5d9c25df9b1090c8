import { afterEach, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

// The four documents' example requests, verbatim but for host and key, against `npm start`'s demo data.
let s: TestServer | undefined;
afterEach(() => s?.close());

async function demoServer(): Promise<{ url: string; key: string }> {
  s = await startTestServer({ demo: true });
  const key = s.server.demo?.apiKey;
  if (!key) throw new Error("the demo data was not loaded");
  return { url: s.url, key };
}

it("seed 000: POST /api/v1/users/1/resend_invitation", async () => {
  const { url, key } = await demoServer();
  const response = await fetch(`${url}/api/v1/users/1/resend_invitation`, {
    method: "POST",
    headers: { "X-Api-Key": key, Accept: "application/json", "Content-Type": "application/json" },
    body: "{}",
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({
    data: { id: 1, email: "bob@acme.test" },
    meta: { invitation_sent_to: "bob@acme.test", inviter_id: 10 },
  });
});

it("seed 001: POST /v1/users/2489E9AD-…/resend-invite with X-Tenant-ID", async () => {
  const { url, key } = await demoServer();
  const response = await fetch(`${url}/v1/users/2489E9AD-2EE2-8E00-8EC9-32D5F69181C0/resend-invite`, {
    method: "POST",
    headers: { "X-Tenant-ID": "2489E9AD-2EE2-8E00-8EC9-32D5F69181C0", "X-Api-Key": key },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ message: expect.stringContaining("dario@acme.test") });
});

it.each(["/api/tenant/1024/invitations/resend?id=9001", "/tenant/1024/admin/user/invitation/resend?id=9001"])(
  "seed 002: PUT %s",
  async (path) => {
    const { url, key } = await demoServer();
    const response = await fetch(`${url}${path}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      isSuccess: true,
      isFailure: false,
      error: null,
      value: [{ id: 9001, email: "carla@acme.test", status: "Pending" }],
    });
  },
);

// The README's example: Eve's invitation has expired, the case the document's summary names.
it("seed 003: POST /public/v1/accounts/account-users/{id}/send-new-invite", async () => {
  const { url, key } = await demoServer();
  const response = await fetch(
    `${url}/public/v1/accounts/account-users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0015/send-new-invite`,
    { method: "POST", headers: { Accept: "*/*", "X-Api-Key": key } },
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({
    id: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0015",
    user: { name: "Eve Expired" },
    account: { id: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0", name: "Acme Procurement" },
    invitation: { url: expect.stringContaining("/invitations/accept?token="), status: "pending" },
  });
});
