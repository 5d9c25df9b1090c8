/**
 * Issue 18 across instances: two real server processes on one PostgreSQL database deliver each webhook event
 * once per endpoint, whichever instance wrote it, woken by NOTIFY instead of their poll.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { postGraphQL } from "../support/graphql-client.js";
import { KEYS, loadTestFixture, WEBHOOK_SECRET_KEY } from "../support/harness.js";
import { createTempDatabase } from "../support/temp-db.js";
import { startSmtpSink } from "../mail/support/smtp-sink.js";
import { startReceiver } from "../webhooks/support/receiver.js";
import { startInstances, type InstanceGroup } from "./support/instances.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it(
  "two instances deliver each event once per endpoint, whichever instance wrote it",
  { timeout: 120_000 },
  async () => {
    const db = await createTempDatabase();
    await loadTestFixture(db.database);
    cleanups.push(() => db.dispose());
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const first = await startReceiver();
    const second = await startReceiver();
    cleanups.push(
      () => first.close(),
      () => second.close(),
    );
    let group: InstanceGroup | undefined;
    cleanups.push(() => group?.close());
    const [a, b] = await startInstances(
      {
        count: 2,
        databaseUrl: db.url,
        smtpUrl: smtp.url,
        env: { WEBHOOK_SECRET_KEY, WEBHOOK_ALLOW_PRIVATE: "on", RESEND_COOLDOWN_SECONDS: "0" },
      },
      (started) => (group = started),
    );
    const admin = { authorization: `Bearer ${KEYS.acmeAdmin}` };
    for (const [instance, receiver] of [
      [a!, first],
      [b!, second],
    ] as const) {
      const created = await postGraphQL(
        instance.url,
        {
          query: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on CreateWebhookEndpointSuccess { secret } } }`,
          variables: { input: { url: receiver.url, events: ["invitation.created"] } },
        },
        admin,
      );
      receiver.secrets.push((created.body.data?.createWebhookEndpoint as { secret: string }).secret);
    }

    const started = performance.now();
    const invites = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        postGraphQL(
          (i % 2 === 0 ? a! : b!).url,
          {
            query: `mutation($email: String!) { inviteUser(input: { email: $email }) { __typename } }`,
            variables: { email: `multi${i}@acme.test` },
          },
          admin,
        ),
      ),
    );
    for (const invite of invites) {
      expect(invite.body.data?.inviteUser).toEqual({ __typename: "InviteUserSuccess" });
    }
    for (const receiver of [first, second]) await receiver.waitFor((all) => all.length >= 8, 30_000);
    console.error(`[webhooks-multi-instance] 16 deliveries in ${Math.round(performance.now() - started)} ms`);
    await sleep(1_500); // time for a duplicate to show up, were there one
    for (const receiver of [first, second]) {
      expect(receiver.received).toHaveLength(8);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(8);
      expect(receiver.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
      expect(new Set(receiver.received.map((r) => r.event.data.invitation.email)).size).toBe(8);
    }
    const rows = await db.database.query<{ status: string; n: number }>(
      "SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status",
    );
    expect(rows.map((row) => [row.status, Number(row.n)])).toEqual([["delivered", 16]]);
  },
);
