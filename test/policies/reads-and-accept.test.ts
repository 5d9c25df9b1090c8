import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHarness, KEYS, rows, type Harness } from "../support/harness.js";
import { postGraphQL } from "../support/graphql-client.js";
import {
  addServiceAccountAdmin,
  defaultWith,
  latestAuditDetails,
  SERVICE_ACCOUNT_KEY,
  writePolicyFile,
} from "../support/policies.js";
import { startTestServer, type TestServer } from "../support/server.js";

const PERMIT_EVERYTHING = `@id("everything") permit (principal, action, resource);`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("a policy that permits everything", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-permit-all-"));
    server = await startTestServer({
      env: { POLICY_FILE: writePolicyFile(dir, "all.cedar", PERMIT_EVERYTHING) },
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lets a member read their tenant's invitations", async () => {
    const { body } = await postGraphQL(
      server.url,
      { query: `{ invitation(id: "9001") { id } }` },
      bearer(KEYS.acmeMember),
    );
    expect(body).toEqual({ data: { invitation: { id: "9001" } } });
  });

  it("still cannot reach another tenant's data", async () => {
    const globex = bearer(KEYS.globexAdmin);
    const one = await postGraphQL(server.url, { query: `{ invitation(id: "9001") { id } }` }, globex);
    expect(one.body).toEqual({ data: { invitation: null } });
    const list = await postGraphQL(
      server.url,
      { query: `{ invitations { edges { node { id } } } }` },
      globex,
    );
    expect(list.body).toEqual({ data: { invitations: { edges: [{ node: { id: "9100" } }] } } });
    const revoke = await postGraphQL(
      server.url,
      { query: `mutation { revokeInvitation(input: { invitationId: "9001" }) { __typename } }` },
      globex,
    );
    expect(revoke.body).toEqual({ data: { revokeInvitation: { __typename: "InvitationNotFound" } } });
    // Another tenant named in the header is a tenant mismatch before any policy is asked.
    const header = await postGraphQL(
      server.url,
      { query: `{ invitation(id: "9001") { id } }` },
      { ...globex, "x-tenant-id": String(1024) },
    );
    expect(header.body).toMatchObject({ errors: [{ extensions: { code: "TENANT_MISMATCH" } }] });
    const [invitation] = await rows(server.server.database, "SELECT status FROM invitations WHERE id = 9001");
    expect(invitation).toEqual({ status: "pending" });
  });
});

describe("reads under policies", () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it("refuses a read with the policies' notice, and audits the deciding policy", async () => {
    h = await createHarness({
      policies: defaultWith(`@id("no-audit-for-bots")
@notice("Service accounts do not read the audit trail.")
forbid (principal, action == Action::"auditEvents", resource) when { principal.kind == "service_account" };
@id("everyone-may-see-themselves")
@notice("Nobody asks who they are here.")
forbid (principal, action == Action::"viewer", resource);`),
    });
    const viewer = await h.container.service.viewer(h.call(KEYS.acmeAdmin));
    expect(viewer).toMatchObject({ kind: "PermissionDenied", notices: ["Nobody asks who they are here."] });
    expect(await latestAuditDetails(h.db.database)).toEqual({
      outcome: "PERMISSION_DENIED",
      details: { policies: ["everyone-may-see-themselves"] },
    });
    await addServiceAccountAdmin(h.db.database);
    expect(await h.container.service.listAuditEvents(h.call(SERVICE_ACCOUNT_KEY), {})).toMatchObject({
      kind: "PermissionDenied",
      notices: ["Service accounts do not read the audit trail."],
    });
    expect((await h.container.service.listAuditEvents(h.call(KEYS.acmeAdmin), {})).kind).toBe("AuditPage");
  });
});

describe("acceptInvitation under policies", () => {
  let h: Harness;
  afterEach(() => h.dispose());

  const NOTICE = "This link was sent more than once; ask for a fresh invitation.";
  const policies = defaultWith(`@id("accept-only-first-sends")
@notice("${NOTICE}")
forbid (principal, action == Action::"acceptInvitation", resource) when { resource.sendCount > 1 };`);

  async function resentToken(harness: Harness): Promise<string> {
    const sent = await harness.container.service.resendInvitation(harness.call(KEYS.acmeAdmin), {
      invitationId: "9001",
    });
    expect(sent.kind).toBe("ResendInvitationSuccess");
    return harness.tokens.at(-1)!;
  }

  it("decides with the invitee as principal: refused with the notice, nothing accepted, audit names the policy", async () => {
    h = await createHarness({ policies });
    const token = await resentToken(h);
    const result = await h.container.service.acceptInvitation(h.call(null), { token });
    expect(result).toMatchObject({ kind: "PermissionDenied", notices: [NOTICE] });
    const [invitation] = await rows(h.db, "SELECT status FROM invitations WHERE id = 9001");
    expect(invitation).toEqual({ status: "pending" });
    const [bob] = await rows(h.db, "SELECT email_verified_at AS v FROM users WHERE id = 2");
    expect(bob).toEqual({ v: null });
    expect(await latestAuditDetails(h.db.database)).toEqual({
      outcome: "PERMISSION_DENIED",
      details: { policies: ["accept-only-first-sends"] },
    });
  });

  it("is allowed by the default policies", async () => {
    h = await createHarness();
    const token = await resentToken(h);
    expect((await h.container.service.acceptInvitation(h.call(null), { token })).kind).toBe(
      "AcceptInvitationSuccess",
    );
  });
});

describe("acceptInvitation refused, over HTTP", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-accept-"));
    const file = writePolicyFile(
      dir,
      "accept.cedar",
      defaultWith(`@id("invitees-accept-their-own-invitation")
@notice("Accepting is closed for now.")
forbid (principal, action == Action::"acceptInvitation", resource);`),
    );
    server = await startTestServer({ env: { POLICY_FILE: file } });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers PermissionDenied with notices in GraphQL, and a 403 page with them in the browser", async () => {
    const sent = await postGraphQL(
      server.url,
      { query: `mutation { resendInvitation(input: { invitationId: "9001" }) { __typename } }` },
      bearer(KEYS.acmeAdmin),
    );
    expect(sent.body).toEqual({ data: { resendInvitation: { __typename: "ResendInvitationSuccess" } } });
    const token = server.tokens.at(-1)!;
    const accept = await postGraphQL(server.url, {
      query: `mutation($token: String!) { acceptInvitation(input: { token: $token }) { __typename ... on PermissionDenied { code notices } } }`,
      variables: { token },
    });
    expect(accept.body).toEqual({
      data: {
        acceptInvitation: {
          __typename: "PermissionDenied",
          code: "PERMISSION_DENIED",
          notices: ["Accepting is closed for now."],
        },
      },
    });
    const page = await fetch(`${server.url}/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("<p>Accepting is closed for now.</p>");
  });
});
