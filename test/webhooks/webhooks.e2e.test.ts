import { afterEach, describe, expect, it } from "vitest";
import { postGraphQL } from "../support/graphql-client.js";
import { GLOBEX, KEYS, ACME, WEBHOOK_SECRET_KEY } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { startSmtpSink } from "../mail/support/smtp-sink.js";
import { startReceiver, type Receiver } from "./support/receiver.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A GraphQL answer, walked by the test as it expects it to be. */
type ParsedJson = ReturnType<typeof JSON.parse>;

const CREATE = /* GraphQL */ `
  mutation ($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      __typename
      ... on CreateWebhookEndpointSuccess {
        secret
        endpoint {
          id
          uuid
          url
          events
          status
        }
      }
      ... on UserError {
        code
        message
      }
    }
  }
`;
const ALL_EVENTS = [
  "invitation.created",
  "invitation.resent",
  "invitation.revoked",
  "invitation.accepted",
  "invitation.delivery_failed",
];

async function gql(
  server: TestServer,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const response = await postGraphQL(
    server.url,
    { query, variables },
    key === null ? {} : { authorization: `Bearer ${key}` },
  );
  expect(response.body.errors).toBeUndefined();
  return response.body.data as ParsedJson;
}

async function createEndpoint(server: TestServer, key: string, receiver: Receiver, events = ALL_EVENTS) {
  const data = await gql(server, key, CREATE, { input: { url: receiver.url, events } });
  expect(data.createWebhookEndpoint.__typename).toBe("CreateWebhookEndpointSuccess");
  const secret = data.createWebhookEndpoint.secret as string;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.secrets.push(secret);
  return data.createWebhookEndpoint.endpoint as { id: string; uuid: string };
}

async function start(env: Record<string, string> = {}, smtpUrl?: string) {
  const server = await startTestServer({
    clock: false, // receivers check webhook-timestamp against their own clock
    env: {
      WEBHOOK_SECRET_KEY,
      WEBHOOK_ALLOW_PRIVATE: "on",
      RESEND_COOLDOWN_SECONDS: "0",
      ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}),
      ...env,
    },
    mail: { pollIntervalMs: 50, retry: { baseMs: 10, maxAttempts: 1 } },
    webhooks: { pollIntervalMs: 50, retry: { baseMs: 50, capMs: 200 } },
  });
  cleanups.push(() => server.close());
  return server;
}

describe("webhooks from the outbox, end to end", () => {
  it(
    "the five events reach a receiver that verifies every signature with standardwebhooks, and only their tenant's",
    { timeout: 60_000 },
    async () => {
      // Every email is refused for good (550), so each invitation also yields invitation.delivery_failed.
      const smtp = await startSmtpSink({
        rejectRecipients: { code: 550, message: "5.1.1 mailbox unavailable" },
      });
      cleanups.push(() => smtp.close());
      const server = await start({}, smtp.url);
      const acme = await startReceiver();
      const globex = await startReceiver();
      cleanups.push(
        () => acme.close(),
        () => globex.close(),
      );
      const acmeEndpoint = await createEndpoint(server, KEYS.acmeAdmin, acme);
      await createEndpoint(server, KEYS.globexAdmin, globex);

      // invitation.created
      const invited = await gql(
        server,
        KEYS.acmeAdmin,
        `mutation { inviteUser(input: { email: "hook@acme.test", name: "Hook" }) { __typename ... on InviteUserSuccess { invitation { id uuid } } } }`,
      );
      const invitationId = invited.inviteUser.invitation.id as string;
      // invitation.resent
      const resent = await gql(
        server,
        KEYS.acmeAdmin,
        `mutation($id: ID!) { resendInvitation(input: { invitationId: $id }) { __typename } }`,
        { id: invitationId },
      );
      expect(resent.resendInvitation.__typename).toBe("ResendInvitationSuccess");
      // invitation.accepted, with the token of the resend (the newest one)
      const accepted = await gql(
        server,
        null,
        `mutation($token: String!) { acceptInvitation(input: { token: $token }) { __typename } }`,
        { token: server.tokens.at(-1) },
      );
      expect(accepted.acceptInvitation.__typename).toBe("AcceptInvitationSuccess");
      // invitation.revoked
      const revoked = await gql(
        server,
        KEYS.acmeAdmin,
        `mutation { revokeInvitation(input: { invitationId: "9001" }) { __typename } }`,
      );
      expect(revoked.revokeInvitation.__typename).toBe("RevokeInvitationSuccess");
      // Globex acts too: its event must reach Globex's endpoint only.
      await gql(
        server,
        KEYS.globexAdmin,
        `mutation { inviteUser(input: { email: "hook@globex.test" }) { __typename } }`,
      );

      const types = (all: typeof acme.received) => new Set(all.map((r) => r.event.type));
      await acme.waitFor((all) => ALL_EVENTS.every((type) => types(all).has(type)));
      await globex.waitFor(
        (all) => types(all).has("invitation.created") && types(all).has("invitation.delivery_failed"),
      );

      for (const received of [...acme.received, ...globex.received]) {
        expect(received.verifiedBy, `${received.event.type} verifies`).toEqual([0]);
        expect(received.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(received.headers["content-type"]).toBe("application/json");
        // Never a token nor a link, in any event.
        expect(received.body).not.toMatch(/token|https?:\/\/invites\.example\.test/i);
        for (const token of server.tokens) expect(received.body).not.toContain(token);
      }
      // Cross-tenant: no endpoint ever receives another tenant's event.
      expect(new Set(acme.received.map((r) => r.event.data.tenant.uuid))).toEqual(new Set([ACME.uuid]));
      expect(new Set(globex.received.map((r) => r.event.data.tenant.uuid))).toEqual(new Set([GLOBEX.uuid]));

      const byType = (type: string) => acme.received.find((r) => r.event.type === type)!.event;
      expect(byType("invitation.created").data).toMatchObject({
        invitation: { id: invitationId, status: "PENDING", email: "hook@acme.test", sendCount: 1 },
        actor: { type: "user", id: "1", name: "Ada Admin" },
      });
      expect(byType("invitation.resent").data.invitation).toMatchObject({ id: invitationId, sendCount: 2 });
      expect(byType("invitation.accepted").data).toMatchObject({
        invitation: { id: invitationId, status: "ACCEPTED" },
        actor: { type: "user", name: "Hook" },
      });
      expect(byType("invitation.revoked").data.invitation).toMatchObject({ id: "9001", status: "REVOKED" });
      expect(byType("invitation.delivery_failed").data).toMatchObject({
        actor: { type: "system" },
        reason: expect.stringContaining("550"),
      });

      // Visibility: the endpoint's deliveries, and the metrics.
      const deliveries = await gql(
        server,
        KEYS.acmeAdmin,
        `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 50) { totalCount edges { node { id eventId eventType payload status attempts responseCode nextAttemptAt } } } }`,
        { id: acmeEndpoint.id },
      );
      const nodes = deliveries.webhookDeliveries.edges.map((e: { node: ParsedJson }) => e.node);
      expect(nodes.length).toBe(acme.received.length);
      for (const node of nodes) {
        expect(node).toMatchObject({
          status: "DELIVERED",
          attempts: 1,
          responseCode: 200,
          nextAttemptAt: null,
        });
        // What the endpoint got is exactly what was stored and signed.
        expect(acme.received.find((r) => r.id === node.eventId)?.body).toBe(node.payload);
      }
      // Relay's PageInfo, as on the other connections.
      const PAGE = `query($id: ID!, $after: String) { webhookDeliveries(endpointId: $id, first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
      const first = (await gql(server, KEYS.acmeAdmin, PAGE, { id: acmeEndpoint.id })).webhookDeliveries;
      expect(first.pageInfo).toEqual({
        hasNextPage: true,
        hasPreviousPage: false,
        startCursor: first.edges[0].cursor,
        endCursor: first.edges[1].cursor,
      });
      const second = (
        await gql(server, KEYS.acmeAdmin, PAGE, { id: acmeEndpoint.id, after: first.pageInfo.endCursor })
      ).webhookDeliveries;
      expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, startCursor: second.edges[0].cursor });
      // Globex's admin cannot see Acme's endpoint's deliveries.
      const foreign = await gql(
        server,
        KEYS.globexAdmin,
        `query($id: ID!) { webhookDeliveries(endpointId: $id) { totalCount } }`,
        { id: acmeEndpoint.id },
      );
      expect(foreign.webhookDeliveries).toBeNull();
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/invitation_api_webhook_deliveries_total\{result="delivered"\} [1-9]/);
      expect(metrics).toMatch(
        /invitation_api_operations_total\{operation="createWebhookEndpoint",outcome="CreateWebhookEndpointSuccess"\} 2/,
      );
      expect(metrics).toMatch(/invitation_api_webhook_deliveries_waiting\{status="queued"\} \d/);
    },
  );

  it(
    "a receiver down, then up: the event is retried with backoff and delivered once",
    { timeout: 30_000 },
    async () => {
      const server = await start();
      const receiver = await startReceiver();
      cleanups.push(() => receiver.close());
      const endpoint = await createEndpoint(server, KEYS.acmeAdmin, receiver, ["invitation.revoked"]);
      const { port, secrets } = receiver;
      await receiver.close();

      await gql(
        server,
        KEYS.acmeAdmin,
        `mutation { revokeInvitation(input: { invitationId: "9001" }) { __typename } }`,
      );
      const deliveriesQuery = `query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { id status attempts lastError nextAttemptAt } } } }`;
      // Wait until at least two attempts have failed against the closed port.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const data = await gql(server, KEYS.acmeAdmin, deliveriesQuery, { id: endpoint.id });
        const node = data.webhookDeliveries.edges[0]?.node;
        if (node && node.attempts >= 2) {
          expect(node.status).toMatch(/QUEUED|SENDING/);
          expect(node.lastError).toMatch(/ECONNREFUSED/);
          break;
        }
        if (Date.now() > deadline) throw new Error("no retries seen");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      const back = await startReceiver({ port });
      back.secrets.push(...secrets);
      cleanups.push(() => back.close());
      await back.waitFor((all) => all.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 600)); // time for a duplicate, were there one
      expect(back.received).toHaveLength(1);
      expect(back.received[0]!.verifiedBy).toEqual([0]);
      const data = await gql(server, KEYS.acmeAdmin, deliveriesQuery, { id: endpoint.id });
      expect(data.webhookDeliveries.edges).toHaveLength(1);
      expect(data.webhookDeliveries.edges[0].node.status).toBe("DELIVERED");
    },
  );

  it("refuses endpoints on metadata and private addresses unless WEBHOOK_ALLOW_PRIVATE=on", async () => {
    const server = await start({ WEBHOOK_ALLOW_PRIVATE: "off" });
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.1/hook",
      "http://127.0.0.1:8080/hook",
      "http://[::1]/hook",
      "http://[::ffff:10.0.0.1]/hook",
      "http://localhost/hook",
    ]) {
      const data = await gql(server, KEYS.acmeAdmin, CREATE, {
        input: { url, events: ["invitation.created"] },
      });
      expect(data.createWebhookEndpoint, url).toMatchObject({
        __typename: "WebhookUrlNotAllowed",
        code: "WEBHOOK_URL_NOT_ALLOWED",
      });
    }
    const bad = await gql(server, KEYS.acmeAdmin, CREATE, {
      input: { url: "ftp://example.test/", events: ["invitation.nope"] },
    });
    expect(bad.createWebhookEndpoint).toMatchObject({ __typename: "InvalidInput", code: "INVALID_INPUT" });
    const endpoints = await gql(server, KEYS.acmeAdmin, `{ webhookEndpoints { id } }`);
    expect(endpoints.webhookEndpoints).toEqual([]);
  });

  it("without WEBHOOK_SECRET_KEY, endpoints are refused with a clear error", async () => {
    const server = await start({ WEBHOOK_SECRET_KEY: "" });
    const data = await gql(server, KEYS.acmeAdmin, CREATE, {
      input: { url: "http://127.0.0.1:9/hook", events: ["invitation.created"] },
    });
    expect(data.createWebhookEndpoint).toMatchObject({
      __typename: "WebhookSecretsUnavailable",
      code: "WEBHOOK_SECRETS_UNAVAILABLE",
      message: expect.stringContaining("WEBHOOK_SECRET_KEY"),
    });
  });
});
