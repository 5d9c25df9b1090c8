/**
 * Issue 13: several instances on one PostgreSQL database (CONTRACT §5 and §7). Three real server processes
 * (`src/main.ts`, as `npm start` runs it) share one database and one SMTP sink on loopback, and every rule
 * must hold across them: one success among concurrent resends, each queued email delivered once by whichever
 * instance claims it, idempotency keys replayed by any instance, revoked API keys refused by every instance
 * within a second, migrations applied once when all start together, and no email lost when one is killed.
 *
 * Timings are measured and printed (`[multi-instance] …` lines), never asserted, except the one-second
 * revocation requirement of §7.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { shippedMigrationCount } from "../../src/db/migrations.js";
import { postGraphQL, RESEND_MUTATION } from "../support/graphql-client.js";
import { ACME, KEYS, loadTestFixture } from "../support/harness.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";
import { freePort, startSmtpSink, type SmtpSink } from "../mail/support/smtp-sink.js";
import {
  cli,
  createEmptyDatabase,
  startInstances,
  until,
  watchArrivals,
  withClient,
  type Instance,
  type InstanceGroup,
} from "./support/instances.js";

const INVITE_MUTATION = /* GraphQL */ `
  mutation Invite($input: InviteUserInput!) {
    inviteUser(input: $input) {
      __typename
      ... on InviteUserSuccess {
        sentTo
        userCreated
        invitation {
          id
        }
      }
      ... on UserError {
        code
        message
      }
    }
  }
`;

interface OutboxRow {
  id: number;
  invitation_id: number | null;
  to_address: string;
  status: string;
  attempts: number;
  text_body: string | null;
}

/** Figures for the report: printed, never asserted (but the revocation second). */
function report(line: string): void {
  console.error(`[multi-instance] ${line}`);
}

const ms = (value: number) => `${Math.round(value)} ms`;

function resend(instance: Instance, input: Record<string, unknown>, key = KEYS.acmeAdmin) {
  return postGraphQL(
    instance.url,
    { query: RESEND_MUTATION, variables: { input } },
    { authorization: `Bearer ${key}` },
  );
}

function invite(instance: Instance, email: string, key: string) {
  return postGraphQL(
    instance.url,
    { query: INVITE_MUTATION, variables: { input: { email } } },
    { authorization: `Bearer ${key}` },
  );
}

async function viewerId(instance: Instance, key: string): Promise<string | null> {
  const response = await postGraphQL(
    instance.url,
    { query: "{ viewer { id } }" },
    { authorization: `Bearer ${key}` },
  );
  if (response.status !== 200 || response.body.errors) {
    throw new Error(`viewer on ${instance.name}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return ((response.body.data?.viewer as { id: string } | null) ?? null)?.id ?? null;
}

function receivedBy(sink: SmtpSink, address: string) {
  return sink.received.filter((email) => email.envelopeTo.includes(address));
}

/** Error-level (50+) log lines: none is expected in any of these scenarios. */
function errorLines(instances: readonly Instance[]): string[] {
  return instances.flatMap((instance) =>
    instance
      .output()
      .split("\n")
      .filter((line) => /"level":\s*(50|60)/.test(line))
      .map((line) => `${instance.name}: ${line}`),
  );
}

describe("three instances on one PostgreSQL database", () => {
  let db: TempDatabase;
  let sink: SmtpSink;
  let instances: Instance[];
  const groups: InstanceGroup[] = [];
  const outbox = (where: string, ...params: unknown[]) =>
    db.database.query<OutboxRow>(
      `SELECT id, invitation_id, to_address, status, attempts, text_body FROM email_outbox WHERE ${where} ORDER BY id`,
      params,
    );

  beforeAll(async () => {
    const started = performance.now();
    db = await createTempDatabase();
    await loadTestFixture(db.database);
    sink = await startSmtpSink();
    instances = await startInstances({ databaseUrl: db.url, smtpUrl: sink.url }, (group) =>
      groups.push(group),
    );
    report(`3 instances on one database ready in ${ms(performance.now() - started)}`);
  }, 90_000);

  afterAll(async () => {
    const errors = instances ? errorLines(instances) : [];
    if (errors.length > 0) report(`error-level log lines:\n${errors.join("\n")}`);
    for (const group of groups.splice(0)) await group.close();
    await sink?.close();
    await db?.dispose();
  }, 60_000);

  it(
    "30 concurrent resends of one invitation, round-robin over the instances: one success, one email",
    {
      timeout: 40_000,
    },
    async () => {
      const [before] = await db.database.query<{ send_count: number }>(
        "SELECT send_count FROM invitations WHERE id = 9001",
      );
      const arrivals = watchArrivals(sink);
      const fired = performance.now();
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) => resend(instances[i % 3]!, { invitationId: "9001" })),
      );
      const answered = performance.now();

      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(response.body.errors).toBeUndefined();
      }
      const kinds = responses.map(
        (response) => (response.body.data?.resendInvitation as { __typename: string }).__typename,
      );
      const tally = Object.fromEntries(
        [...new Set(kinds)].map((kind) => [kind, kinds.filter((k) => k === kind).length]),
      );
      expect(tally).toEqual({ ResendInvitationSuccess: 1, ResendRateLimited: 29 });
      const winner = kinds.indexOf("ResendInvitationSuccess");

      expect(await outbox("invitation_id = 9001")).toHaveLength(1);
      const [after] = await db.database.query<{ send_count: number }>(
        "SELECT send_count FROM invitations WHERE id = 9001",
      );
      expect(after!.send_count).toBe(before!.send_count + 1);

      await sink.waitForEmails(1, 20_000);
      const arrivedAt = arrivals.arrivalOf(
        sink.received.findIndex((e) => e.envelopeTo.includes("bob@acme.test")),
      );
      await until(
        async () => ((await outbox("invitation_id = 9001"))[0]?.status === "sent" ? true : undefined),
        10_000,
        "the outbox row to be sent",
      );
      await sleep(1_500); // time for a duplicate to show up, if there were one
      arrivals.stop();

      expect(receivedBy(sink, "bob@acme.test")).toHaveLength(1);
      expect(sink.received).toHaveLength(1);
      expect(await outbox("invitation_id = 9001")).toEqual([
        expect.objectContaining({ status: "sent", attempts: 1, text_body: null }),
      ]);
      report(
        `30 concurrent resends answered in ${ms(answered - fired)} (success on instance ${instances[winner % 3]!.name}); ` +
          `email at the sink ${arrivedAt === undefined ? "?" : ms(arrivedAt - fired)} after the requests were fired`,
      );
    },
  );

  it(
    "emails queued through different instances are each delivered exactly once",
    { timeout: 40_000 },
    async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const already = sink.received.length;
      const arrivals = watchArrivals(sink);
      // Each through its instance; `expect` is the address the email must reach.
      const sends: { instance: Instance; send: () => ReturnType<typeof resend>; to: string; what: string }[] =
        [
          // Nina has no invitation: resending by user id creates one.
          {
            instance: a,
            to: "nina@acme.test",
            what: "resend by userId 8",
            send: () => resend(a, { userId: "8" }),
          },
          {
            instance: b,
            to: "gus@globex.test",
            what: "resend invitation 9100",
            send: () => resend(b, { invitationId: "9100" }, KEYS.globexAdmin),
          },
          {
            instance: c,
            to: "carol.multi@acme.test",
            what: "invite",
            send: () => invite(c, "carol.multi@acme.test", KEYS.acmeAdmin),
          },
          {
            instance: a,
            to: "dan.multi@globex.test",
            what: "invite",
            send: () => invite(a, "dan.multi@globex.test", KEYS.globexAdmin),
          },
          {
            instance: b,
            to: "erin.multi@acme.test",
            what: "invite",
            send: () => invite(b, "erin.multi@acme.test", KEYS.acmeAdmin),
          },
          {
            instance: c,
            to: "frank.multi@globex.test",
            what: "invite",
            send: () => invite(c, "frank.multi@globex.test", KEYS.globexAdmin),
          },
        ];

      const requestedAt = new Map<string, number>();
      for (const { send, to, instance, what } of sends) {
        requestedAt.set(to, performance.now());
        const response = await send();
        expect(response.status).toBe(200);
        const result = (response.body.data?.resendInvitation ?? response.body.data?.inviteUser) as {
          __typename: string;
          sentTo?: string;
        };
        expect(result, `${what} through ${instance.name}`).toMatchObject({ sentTo: to });
        expect(result.__typename).toMatch(/^(ResendInvitationSuccess|InviteUserSuccess)$/);
      }
      const addresses = sends.map((s) => s.to);

      await sink.waitForEmails(already + addresses.length, 20_000);
      await until(
        async () => {
          const rows = await outbox("to_address = ANY(?)", addresses);
          return rows.length === addresses.length && rows.every((row) => row.status === "sent")
            ? true
            : undefined;
        },
        10_000,
        "every outbox row to be sent",
      );
      await sleep(1_500); // time for a duplicate to show up
      arrivals.stop();

      for (const address of addresses) expect(receivedBy(sink, address), address).toHaveLength(1);
      expect(sink.received).toHaveLength(already + addresses.length);
      const rows = await outbox("to_address = ANY(?)", addresses);
      expect(rows.map((row) => row.to_address).sort()).toEqual([...addresses].sort());
      for (const row of rows) {
        expect(row, row.to_address).toMatchObject({ status: "sent", attempts: 1, text_body: null });
      }

      const latencies = sends.map(({ to, instance }) => {
        const index = sink.received.findIndex((email) => email.envelopeTo.includes(to));
        const arrived = arrivals.arrivalOf(index);
        return `${to} via ${instance.name}: ${arrived === undefined ? "?" : ms(arrived - requestedAt.get(to)!)}`;
      });
      report(`request-to-sink delivery latencies (poll interval 500 ms): ${latencies.join("; ")}`);
    },
  );

  it(
    "an Idempotency-Key used on one instance replays on the others; another invitation under it is 422",
    {
      timeout: 40_000,
    },
    async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const put = (instance: Instance, invitationId: number, key: string) =>
        fetch(`${instance.url}/tenant/${ACME.id}/admin/user/invitation/resend?id=${invitationId}`, {
          method: "PUT",
          headers: { "x-api-key": KEYS.acmeAdmin, "idempotency-key": key },
        }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        }));
      const key = "multi-instance-retry-1";
      const [before] = await db.database.query<{ send_count: number }>(
        "SELECT send_count FROM invitations WHERE id = 9004",
      );

      const first = await put(a, 9004, key);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ isSuccess: true, isFailure: false, error: null });
      await until(
        () => (receivedBy(sink, "eve@acme.test").length > 0 ? true : undefined),
        20_000,
        "eve's email",
      );

      const onB = await put(b, 9004, key);
      const onC = await put(c, 9004, key);
      expect(onB).toEqual(first);
      expect(onC).toEqual(first);

      const reused = await put(b, 9001, key);
      expect(reused.status).toBe(422);
      expect(reused.body).toMatchObject({
        isSuccess: false,
        isFailure: true,
        error: { code: "IdempotencyKeyReused" },
        value: null,
      });
      // And on the instance that ran it first: the key is the tenant's, not the process's.
      expect((await put(a, 9001, key)).status).toBe(422);

      await sleep(1_500); // a second email, if a replay had sent one
      expect(receivedBy(sink, "eve@acme.test")).toHaveLength(1);
      expect(await outbox("invitation_id = 9004")).toEqual([
        expect.objectContaining({ status: "sent", attempts: 1 }),
      ]);
      const [after] = await db.database.query<{ send_count: number }>(
        "SELECT send_count FROM invitations WHERE id = 9004",
      );
      expect(after!.send_count).toBe(before!.send_count + 1);
      // 9001 was not touched by the refused reuse (test 1's single row is still its only one).
      expect(await outbox("invitation_id = 9001")).toHaveLength(1);
    },
  );

  it(
    "an API key revoked with the command line is refused by every instance within a second",
    {
      timeout: 40_000,
    },
    async () => {
      const created = await cli(db.url, "apikey", "create", "--user", "1", "--name", "multi-instance");
      expect(created.stderr).toBe("");
      expect(created.status).toBe(0);
      const { apiKey, id } = JSON.parse(created.stdout) as { apiKey: string; id: number };

      // The first use records last_used_at (a write that empties every instance's cache); the next two per
      // instance are answered from a warm cache.
      for (const instance of instances) expect(await viewerId(instance, apiKey)).toBe("1");
      await sleep(200);
      for (const instance of instances) {
        expect(await viewerId(instance, apiKey)).toBe("1");
        expect(await viewerId(instance, apiKey)).toBe("1");
      }
      const warmedAt = performance.now();

      // Every instance is polled throughout, from before the command runs until it refuses the key.
      let stop = false;
      const refusedAt = new Map<string, { at: number; wall: number }>();
      const lastAcceptedAt = new Map<string, number>();
      const pollers = instances.map(async (instance) => {
        while (!stop) {
          const viewer = await viewerId(instance, apiKey);
          const at = performance.now();
          if (viewer === null) {
            refusedAt.set(instance.name, { at, wall: Date.now() });
            return;
          }
          expect(viewer).toBe("1");
          lastAcceptedAt.set(instance.name, at);
          await sleep(10);
        }
      });
      const revoked = await cli(db.url, "apikey", "revoke", "--id", String(id));
      expect(revoked.stderr).toBe("");
      expect(revoked.status).toBe(0);
      const { revokedAt } = JSON.parse(revoked.stdout) as { revokedAt: string };

      const giveUp = setTimeout(() => (stop = true), 5_000);
      await Promise.all(pollers);
      clearTimeout(giveUp);

      const figures = instances.map((instance) => {
        const refused = refusedAt.get(instance.name);
        return refused
          ? `${instance.name}: ${ms(refused.at - revoked.exitedAt)} after the CLI exited ` +
              `(${ms(refused.wall - Date.parse(revokedAt))} after its revokedAt; last accepted ` +
              `${ms((lastAcceptedAt.get(instance.name) ?? Number.NaN) - revoked.exitedAt)} relative to exit)`
          : `${instance.name}: still accepted 5 s after the CLI exited`;
      });
      report(
        `revocation (warm-up to CLI exit ${ms(revoked.exitedAt - warmedAt)}; key cache max age 5000 ms): ${figures.join("; ")}`,
      );
      for (const instance of instances) {
        const refused = refusedAt.get(instance.name);
        expect(refused, `instance ${instance.name} refused the key`).toBeDefined();
        expect(refused!.at - revoked.exitedAt, `instance ${instance.name}`).toBeLessThanOrEqual(1_000);
      }

      // Refused as the contract says, on every instance; the admin's other key still works everywhere.
      for (const instance of instances) {
        const refused = await resend(instance, { invitationId: "9001" }, apiKey);
        expect(refused.body.data?.resendInvitation).toMatchObject({ __typename: "Unauthenticated" });
        expect(await viewerId(instance, KEYS.acmeAdmin)).toBe("1");
      }
    },
  );
});

describe("instances starting together", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 60_000);

  it(
    "three instances starting at once on an empty database all come up, each migration applied once",
    {
      timeout: 60_000,
    },
    async () => {
      const empty = await createEmptyDatabase();
      cleanups.push(() => empty.dispose());
      const tables = await withClient(empty.url, (client) =>
        client.query(
          "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        ),
      );
      expect(tables.rows[0].n).toBe(0);

      const started = performance.now();
      const instances = await startInstances(
        // Nothing is ever sent: a closed port will do.
        { databaseUrl: empty.url, smtpUrl: `smtp://127.0.0.1:${await freePort()}` },
        (group) => cleanups.push(() => group.close()),
      );
      report(`3 instances on an empty database: all /readyz 200 after ${ms(performance.now() - started)}`);

      for (const instance of instances) {
        const ready = await fetch(`${instance.url}/readyz`);
        expect(ready.status, instance.name).toBe(200);
      }
      const applied = await withClient(
        empty.url,
        async (client) =>
          (
            await client.query<{ hash: string; n: number }>(
              "SELECT hash, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY hash",
            )
          ).rows,
      );
      expect(applied).toHaveLength(shippedMigrationCount("postgres"));
      for (const row of applied) expect(row.n).toBe(1);
      const total = await withClient(empty.url, (client) =>
        client.query<{ n: number }>("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations"),
      );
      expect(total.rows[0]!.n).toBe(shippedMigrationCount("postgres"));
      // "database migrated" is logged at info: at LOG_LEVEL=warn nothing says who did it; no one failed.
      expect(errorLines(instances)).toEqual([]);
    },
  );
});

describe("an instance killed with an email it claimed", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 60_000);

  it(
    "loses nothing: another instance delivers the email after its backoff, exactly once",
    {
      timeout: 60_000,
    },
    async () => {
      const db = await createTempDatabase();
      cleanups.push(() => db.dispose());
      await loadTestFixture(db.database);
      const outbox = () =>
        db.database.query<OutboxRow>(
          "SELECT id, invitation_id, to_address, status, attempts, text_body FROM email_outbox",
        );

      // The mail server is down to begin with: the first attempt fails and the email waits for its backoff.
      const smtpPort = await freePort();
      const instances = await startInstances(
        { databaseUrl: db.url, smtpUrl: `smtp://127.0.0.1:${smtpPort}` },
        (group) => cleanups.push(() => group.close()),
      );
      const [a] = instances as [Instance];

      const queuedAt = performance.now();
      const response = await resend(a, { invitationId: "9001" });
      expect(response.body.data?.resendInvitation).toMatchObject({ __typename: "ResendInvitationSuccess" });

      // Whichever instance claimed it logs the failed attempt (warn): that one is killed.
      const claimer = await until(
        () => instances.find((instance) => instance.output().includes("email delivery failed; will retry")),
        15_000,
        "a failed first attempt",
        10,
      );
      claimer.kill("SIGKILL");
      expect(await claimer.server.exited).toMatchObject({ signal: "SIGKILL" });
      const killedAt = performance.now();
      const [waiting] = await outbox();
      expect(waiting).toMatchObject({ status: "queued", attempts: 1, invitation_id: 9001 });
      expect(waiting!.text_body).not.toBeNull();

      const sink = await startSmtpSink({ port: smtpPort });
      cleanups.push(() => sink.close());
      const [email] = await sink.waitForEmails(1, 30_000);
      const deliveredAt = performance.now();
      await until(async () => ((await outbox())[0]?.status === "sent" ? true : undefined), 10_000, "sent");
      await sleep(1_500); // time for a duplicate to show up
      expect(sink.received).toHaveLength(1);
      expect(email!.envelopeTo).toEqual(["bob@acme.test"]);
      const [sent] = await outbox();
      expect(sent).toMatchObject({ status: "sent", text_body: null });
      expect(sent!.attempts).toBeGreaterThanOrEqual(2);
      // The survivors never logged a failure of their own beyond retries; nobody logged an error.
      expect(errorLines(instances)).toEqual([]);
      report(
        `killed instance ${claimer.name} ${ms(killedAt - queuedAt)} after queueing; the email reached the sink ` +
          `${ms(deliveredAt - killedAt)} after the kill, on attempt ${sent!.attempts}`,
      );
    },
  );
});
