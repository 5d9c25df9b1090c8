import { expect, it } from "vitest";
import { ACME, GLOBEX, KEYS } from "../support/harness.js";
import { useValidatedServer } from "./validated-server.js";

// 002 names a tenant in its path as well as in the optional X-Tenant-ID: its 403 says which one was wrong.

const t = useValidatedServer();
const documented = "/tenant/{tenantId}/admin/user/invitation/resend";

async function resend(pathTenant: number, headers: Record<string, string> = {}) {
  const path = `/tenant/${pathTenant}/admin/user/invitation/resend?id=9001`;
  const response = await fetch(`${t.server.url}${path}`, {
    method: "PUT",
    headers: { "x-api-key": KEYS.acmeAdmin, ...headers },
  });
  const body = (await response.json()) as { error: { code: string; message: string } };
  t.checkBody("put", documented, response.status, body);
  expect(response.status).toBe(403);
  expect(body.error.code).toBe("TenantMismatch");
  return body.error.message;
}

it("names the path when only the path names another tenant", async () => {
  const message = await resend(GLOBEX.id);
  expect(message).toBe("The tenant in the path does not match the tenant of the credential.");
  expect(message).not.toContain("X-Tenant-ID");
});

it("names X-Tenant-ID when the path is the caller's tenant and the header is not", async () => {
  const message = await resend(ACME.id, { "x-tenant-id": GLOBEX.uuid });
  expect(message).toBe("X-Tenant-ID does not match the tenant of the credential.");
});

it("names both when both name another tenant", async () => {
  const message = await resend(GLOBEX.id, { "x-tenant-id": GLOBEX.uuid });
  expect(message).toBe("X-Tenant-ID and the tenant in the path do not match the tenant of the credential.");
});

it("is satisfied when both name the caller's tenant", async () => {
  const response = await fetch(`${t.server.url}/tenant/${ACME.id}/admin/user/invitation/resend?id=9001`, {
    method: "PUT",
    headers: { "x-api-key": KEYS.acmeAdmin, "x-tenant-id": ACME.uuid },
  });
  expect(response.status).toBe(200);
});
