import { expect, it } from "vitest";
import { useResolverHarness } from "../support/apollo.js";
import { KEYS } from "../support/harness.js";

const t = useResolverHarness();

const INVITATION = `query($id: ID!) { invitation(id: $id) { id status sendCount lastDelivery { status attempts lastError queuedAt deliveredAt } } }`;

it("walks invite → resend → accept through the resolvers", async () => {
  const invited = await t.run(
    `mutation { inviteUser(input: { email: "walk@acme.test", name: "Walker", role: ADMIN, clientMutationId: "c1" }) {
      __typename ... on InviteUserSuccess { sentTo userCreated clientMutationId invitation { id status invitee { name role emailVerified } } } } }`,
    {},
    KEYS.acmeAdmin,
  );
  expect(invited.data?.inviteUser).toMatchObject({
    __typename: "InviteUserSuccess",
    sentTo: "walk@acme.test",
    userCreated: true,
    clientMutationId: "c1",
    invitation: { status: "PENDING", invitee: { name: "Walker", role: "ADMIN", emailVerified: false } },
  });
  const id = (invited.data?.inviteUser as { invitation: { id: string } }).invitation.id;

  t.h.advance(60_000);
  const resent = await t.run(
    `mutation($id: ID!) { resendInvitation(input: { invitationId: $id, idempotencyKey: "walk-1" }) { __typename ... on ResendInvitationSuccess { replayed invitation { sendCount } } } }`,
    { id },
    KEYS.acmeAdmin,
  );
  expect(resent.errors).toBeUndefined();
  expect(resent.data?.resendInvitation).toMatchObject({ replayed: false, invitation: { sendCount: 2 } });

  const accepted = await t.run(
    `mutation($token: String!) { acceptInvitation(input: { token: $token }) { __typename ... on AcceptInvitationSuccess { invitation { id status } user { email emailVerified } } ... on UserError { code } } }`,
    { token: t.h.tokens.at(-1) },
  );
  expect(accepted.data?.acceptInvitation).toEqual({
    __typename: "AcceptInvitationSuccess",
    invitation: { id, status: "ACCEPTED" },
    user: { email: "walk@acme.test", emailVerified: true },
  });
  const again = await t.run(
    `mutation($token: String!) { acceptInvitation(input: { token: $token }) { __typename ... on UserError { code message } } }`,
    { token: t.h.tokens.at(-1) },
  );
  expect(again.data?.acceptInvitation).toMatchObject({
    __typename: "InvalidInvitationToken",
    code: "INVALID_INVITATION_TOKEN",
  });
});

it("reports EXPIRED from expiresAt, and the last delivery of an invitation", async () => {
  const expired = await t.run(INVITATION, { id: "9004" }, KEYS.acmeAdmin);
  expect(expired.data?.invitation).toEqual({
    id: "9004",
    status: "EXPIRED",
    sendCount: 1,
    lastDelivery: null,
  });

  await t.run(
    `mutation { resendInvitation(input: { invitationId: "9004" }) { __typename } }`,
    {},
    KEYS.acmeAdmin,
  );
  const queued = await t.run(INVITATION, { id: "9004" }, KEYS.acmeAdmin);
  expect(queued.data?.invitation).toMatchObject({
    status: "PENDING",
    lastDelivery: {
      status: "QUEUED",
      attempts: 0,
      lastError: null,
      queuedAt: new Date(t.h.now()).toISOString(),
      deliveredAt: null,
    },
  });

  await t.run(
    `mutation { revokeInvitation(input: { invitationId: "9004" }) { __typename } }`,
    {},
    KEYS.acmeAdmin,
  );
  const revoked = await t.run(INVITATION, { id: "9004" }, KEYS.acmeAdmin);
  expect(revoked.data?.invitation).toMatchObject({
    status: "REVOKED",
    lastDelivery: { status: "CANCELLED" },
  });
});

it("finds an invitation by uuid, and answers null for another tenant's", async () => {
  const byUuid = await t.run(`{ invitation(id: "9001") { uuid } }`, {}, KEYS.acmeAdmin);
  const uuid = (byUuid.data?.invitation as { uuid: string }).uuid;
  expect(
    (await t.run(INVITATION, { id: uuid.toUpperCase() }, KEYS.acmeAdmin)).data?.invitation,
  ).toMatchObject({ id: "9001" });
  expect((await t.run(INVITATION, { id: "9100" }, KEYS.acmeAdmin)).data?.invitation).toBeNull();
});

it("pages invitations with opaque cursors and refuses a bad one clearly", async () => {
  const first = await t.run(
    `{ invitations(first: 2) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
    {},
    KEYS.acmeAdmin,
  );
  expect(first.data?.invitations).toMatchObject({
    totalCount: 4,
    edges: [{ node: { id: "9004" } }, { node: { id: "9003" } }],
    pageInfo: { hasNextPage: true },
  });
  const bad = await t.run(`{ invitations(after: "garbage") { totalCount } }`, {}, KEYS.acmeAdmin);
  expect(bad.errors?.[0]).toMatchObject({
    extensions: { code: "INVALID_INPUT", fieldErrors: [{ path: ["after"], message: expect.any(String) }] },
  });
});

it("lists the audit trail with actors", async () => {
  await t.run(
    `mutation { resendInvitation(input: { invitationId: "9002" }) { __typename } }`,
    {},
    KEYS.acmeAdmin,
  );
  const audit = await t.run(
    `{ auditEvents(action: "invitation.resend") { totalCount edges { node { action outcome targetType targetId actor { name } requestId } } } }`,
    {},
    KEYS.acmeAdmin,
  );
  expect(audit.data?.auditEvents).toEqual({
    totalCount: 1,
    edges: [
      {
        node: {
          action: "invitation.resend",
          outcome: "INVITATION_NOT_PENDING",
          targetType: "invitation",
          targetId: "9002",
          actor: { name: "Ada Admin" },
          requestId: "test-request",
        },
      },
    ],
  });
});
