import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESEND_MUTATION } from "../support/graphql-client.js";
import { ACME, GLOBEX, KEYS, rows } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { rowCounts } from "./support/db-counts.js";

/**
 * Acme's admin names Globex's invitation and users, and ids that exist nowhere: each pair must be answered
 * alike, byte for byte once the id itself (which messages may quote) is masked.
 */
const GUS = { id: "21", uuid: "7c1d2a4e-1111-4a2b-8c3d-000000000021" };
const GINA = { id: "20", uuid: "7c1d2a4e-1111-4a2b-8c3d-000000000020" };
const NO_USER = { id: "987654", uuid: "5b0e8a5c-0000-4000-8000-000000000001" };
const NO_INVITATION = { id: "987655", uuid: "5b0e8a5c-0000-4000-8000-000000000002" };
const NO_TENANT = { id: "987656", uuid: "5b0e8a5c-0000-4000-8000-000000000003" };
const ADMIN = { "x-api-key": KEYS.acmeAdmin };

const REVOKE = `mutation($input: RevokeInvitationInput!) {
  revokeInvitation(input: $input) { __typename ... on UserError { code message } }
}`;
const INVITATION = `query($id: ID!) { invitation(id: $id) { id status } }`;
const INVITATIONS = `query($email: String) { invitations(email: $email) { totalCount edges { node { id } } } }`;

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

let s: TestServer;
let globexInvitation: { id: string; uuid: string };
beforeAll(async () => {
  s = await startTestServer();
  const [{ uuid }] = (await rows<{ uuid: string }>(
    s.server.database,
    "SELECT uuid FROM invitations WHERE id = 9100",
  )) as [{ uuid: string }];
  globexInvitation = { id: "9100", uuid };
});
afterAll(() => s.close());

async function answer(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${s.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: await response.text(),
  };
}

const graphql = (
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = ADMIN,
) => answer("POST", "/graphql", headers, { query, variables });

/** The answer with every occurrence of `id` replaced, so "no invitation 9100" equals "no invitation 987655". */
function masked(answer: Answer, id: string): Answer {
  return { ...answer, body: answer.body.split(id).join("<id>") };
}

/** Calls `request` with the other tenant's id and with one that exists nowhere, and compares the answers. */
async function expectAlike(
  request: (id: string) => Promise<Answer>,
  otherTenants: string,
  nonexistent: string,
): Promise<Answer> {
  const foreign = masked(await request(otherTenants), otherTenants);
  const missing = masked(await request(nonexistent), nonexistent);
  expect(foreign).toEqual(missing);
  return foreign;
}

describe("cross-tenant ids are answered exactly like ids that do not exist", () => {
  let before: Record<string, number>;
  beforeAll(async () => {
    before = await rowCounts(s.server.database);
  });
  // Refusals write only their audit record.
  afterAll(async () => {
    const { audit_events: _audit, ...after } = await rowCounts(s.server.database);
    const { audit_events: _before, ...expected } = before;
    expect(after).toEqual(expected);
  });

  for (const form of ["id", "uuid"] as const) {
    describe(`GraphQL, ${form}s`, () => {
      it("resendInvitation by invitationId", async () => {
        const answered = await expectAlike(
          (id) => graphql(RESEND_MUTATION, { input: { invitationId: id } }),
          globexInvitation[form],
          NO_INVITATION[form],
        );
        expect(answered.body).toContain("INVITATION_NOT_FOUND");
      });

      it("resendInvitation by userId (an invitee and an admin)", async () => {
        for (const user of [GUS, GINA]) {
          const answered = await expectAlike(
            (id) => graphql(RESEND_MUTATION, { input: { userId: id } }),
            user[form],
            NO_USER[form],
          );
          expect(answered.body).toContain("USER_NOT_FOUND");
        }
      });

      it("revokeInvitation", async () => {
        const answered = await expectAlike(
          (id) => graphql(REVOKE, { input: { invitationId: id } }),
          globexInvitation[form],
          NO_INVITATION[form],
        );
        expect(answered.body).toContain("INVITATION_NOT_FOUND");
      });

      it("invitation(id)", async () => {
        const answered = await expectAlike(
          (id) => graphql(INVITATION, { id }),
          globexInvitation[form],
          NO_INVITATION[form],
        );
        expect(JSON.parse(answered.body)).toEqual({ data: { invitation: null } });
        // The id is real: its own tenant sees it.
        const own = await graphql(
          INVITATION,
          { id: globexInvitation[form] },
          { "x-api-key": KEYS.globexAdmin },
        );
        expect(JSON.parse(own.body)).toMatchObject({ data: { invitation: { id: "9100" } } });
      });

      it("X-Tenant-ID naming another tenant", async () => {
        const answered = await expectAlike(
          (tenant) =>
            graphql(
              RESEND_MUTATION,
              { input: { invitationId: "9001" } },
              { ...ADMIN, "x-tenant-id": tenant },
            ),
          form === "id" ? String(GLOBEX.id) : GLOBEX.uuid,
          NO_TENANT[form],
        );
        expect(answered.body).toContain("TENANT_MISMATCH");
      });
    });
  }

  it("GraphQL invitations(email) with another tenant's invitee", async () => {
    const answered = await expectAlike(
      (email) => graphql(INVITATIONS, { email }),
      "gus@globex.test",
      "nobody-here@globex.test",
    );
    expect(JSON.parse(answered.body)).toEqual({ data: { invitations: { totalCount: 0, edges: [] } } });
  });

  it("POST /api/v1/users/{id}/resend_invitation", async () => {
    const answered = await expectAlike(
      (id) => answer("POST", `/api/v1/users/${id}/resend_invitation`, ADMIN),
      GUS.id,
      NO_USER.id,
    );
    expect(answered.status).toBe(404);
  });

  it("POST /v1/users/{id}/resend-invite", async () => {
    const answered = await expectAlike(
      (id) => answer("POST", `/v1/users/${id}/resend-invite`, { ...ADMIN, "x-tenant-id": ACME.uuid }),
      GUS.uuid,
      NO_USER.uuid,
    );
    expect(answered.status).toBe(404);
  });

  it("POST /v1/users/{id}/resend-invite with X-Tenant-ID naming another tenant", async () => {
    const answered = await expectAlike(
      (tenant) => answer("POST", `/v1/users/${GUS.uuid}/resend-invite`, { ...ADMIN, "x-tenant-id": tenant }),
      GLOBEX.uuid,
      NO_TENANT.uuid,
    );
    expect(answered.status).toBe(403);
  });

  for (const prefix of ["/tenant/{tenantId}/admin/user/invitation", "/api/tenant/{tenantId}/invitations"]) {
    it(`PUT ${prefix}/resend?id=`, async () => {
      const path = (tenant: number | string, id: string) =>
        `${prefix.replace("{tenantId}", String(tenant))}/resend?id=${id}`;
      const answered = await expectAlike(
        (id) => answer("PUT", path(ACME.id, id), ADMIN),
        globexInvitation.id,
        NO_INVITATION.id,
      );
      expect(answered.status).toBe(404);
      const otherTenant = await expectAlike(
        (tenant) => answer("PUT", path(tenant, "9001"), ADMIN),
        String(GLOBEX.id),
        NO_TENANT.id,
      );
      expect(otherTenant.status).toBe(403);
    });
  }

  it("POST /public/v1/accounts/account-users/{id}/send-new-invite", async () => {
    const answered = await expectAlike(
      (id) => answer("POST", `/public/v1/accounts/account-users/${id}/send-new-invite`, ADMIN),
      GUS.uuid,
      NO_USER.uuid,
    );
    expect(answered.status).toBe(404);
  });
});

describe("inviteUser with another tenant's address", () => {
  it("invites it as a new address of the caller's tenant, leaving the other tenant untouched", async () => {
    const INVITE = `mutation($input: InviteUserInput!) {
      inviteUser(input: $input) { __typename ... on InviteUserSuccess { userCreated sentTo } ... on UserError { code } }
    }`;
    const before = await rowCounts(s.server.database);
    const foreign = JSON.parse((await graphql(INVITE, { input: { email: "gus@globex.test" } })).body);
    const fresh = JSON.parse((await graphql(INVITE, { input: { email: "fresh@acme.test" } })).body);
    expect(foreign.data.inviteUser).toEqual({
      __typename: "InviteUserSuccess",
      userCreated: true,
      sentTo: "gus@globex.test",
    });
    expect(fresh.data.inviteUser).toEqual({
      __typename: "InviteUserSuccess",
      userCreated: true,
      sentTo: "fresh@acme.test",
    });
    expect((await rowCounts(s.server.database)).users).toBe(before.users! + 2);
    const globexRows = await rows(
      s.server.database,
      "SELECT count(*) AS n FROM invitations i JOIN users u ON u.id = i.user_id WHERE u.tenant_id = ?",
      GLOBEX.id,
    );
    expect(globexRows).toEqual([{ n: 1 }]);
  });
});
