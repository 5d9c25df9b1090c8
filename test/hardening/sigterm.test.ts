import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createTempDatabase, withDatabaseAt, type TempDatabase } from "../support/temp-db.js";
import { RESEND_MUTATION } from "../support/graphql-client.js";
import { KEYS, loadTestFixture } from "../support/harness.js";
import { listeningUrl, spawnServer, type ChildServer } from "./support/child-server.js";
import { postJson, startPost, type Outcome } from "./support/http-load.js";

const WORKERS = 12;
/** Requests whose body is still arriving when SIGTERM does: accepted, so they must be answered. */
const SLOW_REQUESTS = 3;
const RESPONSES_BEFORE_SIGTERM = 60;

let dir: string;
let server: ChildServer;
const databases: TempDatabase[] = [];
afterEach(async () => {
  server.child.kill("SIGKILL");
  for (const db of databases.splice(0)) await db.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const resendBody = { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } };
const headers = { authorization: `Bearer ${KEYS.acmeAdmin}` };

/** The server in its own process over a seeded database; returns its DATABASE_URL and the server's URL. */
async function start(env: Record<string, string> = {}): Promise<{ databaseUrl: string; url: string }> {
  dir = mkdtempSync(join(tmpdir(), "invitation-api-sigterm-"));
  const databaseUrl = await seededDatabase();
  server = spawnServer(
    {
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: databaseUrl,
      NODE_ENV: "production",
      // Every resend of the one invitation succeeds, so each success must leave exactly one outbox row.
      RESEND_COOLDOWN_SECONDS: "0",
      MAX_EMAILS_PER_TENANT_PER_HOUR: "1000000",
      MAX_EMAILS_PER_RECIPIENT_PER_DAY: "1000000",
      RATE_LIMIT_PER_MINUTE: "0",
      ...env,
    },
    dir,
  );
  return { databaseUrl, url: await listeningUrl(server) };
}

it("drains in-flight requests on SIGTERM, loses none it accepted, and exits 0 within seconds", async () => {
  const { databaseUrl, url } = await start();
  const before = await countsFor(databaseUrl);

  // An idle keep-alive connection must not hold the process open.
  const idle = new Agent({ keepAlive: true });
  expect(await postJson(idle, `${url}/graphql`, { query: "{ __typename }" }, {})).toMatchObject({
    status: 200,
  });

  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  const outcomes: Outcome[] = [];
  const worker = async () => {
    for (;;) {
      const outcome = await postJson(agent, `${url}/graphql`, resendBody, headers);
      outcomes.push(outcome);
      if (outcome.kind === "error" || outcome.status === 503) return;
    }
  };
  const load = Promise.all(Array.from({ length: WORKERS }, worker));
  while (outcomes.length < RESPONSES_BEFORE_SIGTERM && server.child.exitCode === null) await sleep(5);
  const slow = Array.from({ length: SLOW_REQUESTS }, (_, i) =>
    startPost(false, `${url}/graphql`, resendBody, { ...headers, "x-request-id": `slow-${i}` }),
  );
  // Accepted means the server has read their headers (on a loaded machine that can take a while).
  for (let i = 0; i < SLOW_REQUESTS; i++) {
    while (!server.stdout().includes(`"reqId":"slow-${i}"`)) await sleep(5);
  }
  const sigtermAt = performance.now();
  server.child.kill("SIGTERM");
  await sleep(300);
  for (const request of slow) request.finish();
  const slowOutcomes = await Promise.all(slow.map((request) => request.outcome));
  await load;
  const exit = await server.exited;
  const exitedAfterMs = performance.now() - sigtermAt;
  agent.destroy();
  idle.destroy();

  expect(exit).toEqual({ code: 0, signal: null });
  expect(exitedAfterMs).toBeLessThan(5000);
  expect(slowOutcomes).toEqual(Array(SLOW_REQUESTS).fill(expect.objectContaining({ status: 200 })));
  const all = [...outcomes, ...slowOutcomes];
  // Others were refused before the server read them (503 while closing, connection refused or reset).
  const errors = all.flatMap((o) => (o.kind === "error" ? [o] : []));
  expect(errors.filter((e) => e.afterHeaders)).toEqual([]);
  expect(errors.filter((e) => !["ECONNREFUSED", "ECONNRESET", "EPIPE"].includes(e.code))).toEqual([]);
  const responses = all.flatMap((o) => (o.kind === "response" ? [o] : []));
  expect(responses.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
  const successes = responses.filter((r) => r.status === 200);
  for (const { body } of successes) {
    expect(JSON.parse(body)).toMatchObject({
      data: { resendInvitation: { __typename: "ResendInvitationSuccess" } },
    });
  }

  // Every success answered is in the database, and nothing was written that was not answered.
  const after = await countsFor(databaseUrl);
  expect(after.outbox - before.outbox).toBe(successes.length);
  expect(after.sendCount - before.sendCount).toBe(successes.length);
  expect(server.stdout()).toContain('"msg":"mail delivery stopped"');
  expect(server.stdout()).toContain('"msg":"stopped"');
});

describe("a drain that does not end", () => {
  it("is cut short after SHUTDOWN_TIMEOUT_SECONDS, exiting 1", async () => {
    const { url } = await start({ SHUTDOWN_TIMEOUT_SECONDS: "1" });
    const stuck = startPost(false, `${url}/graphql`, resendBody, headers);
    await sleep(100);
    const sigtermAt = performance.now();
    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(performance.now() - sigtermAt).toBeGreaterThan(900);
    expect(performance.now() - sigtermAt).toBeLessThan(3000);
    expect(await stuck.outcome).toMatchObject({ kind: "error" });
    expect(server.stdout()).toContain("drain timed out");
  });

  it("is cut short by a second signal, exiting 1", async () => {
    const { url } = await start({ SHUTDOWN_TIMEOUT_SECONDS: "60" });
    startPost(false, `${url}/graphql`, resendBody, headers);
    await sleep(100);
    server.child.kill("SIGTERM");
    await sleep(300);
    expect(server.child.exitCode).toBeNull();
    const secondAt = performance.now();
    server.child.kill("SIGINT");
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(performance.now() - secondAt).toBeLessThan(1000);
  });
});

/** A migrated database of the test's dialect, holding the test fixture; dropped after the test. */
async function seededDatabase(): Promise<string> {
  const db = await createTempDatabase();
  databases.push(db);
  await loadTestFixture(db.database);
  return db.url;
}

function countsFor(url: string): Promise<{ outbox: number; sendCount: number }> {
  return withDatabaseAt(url, async (database) => {
    const count = async (sql: string) => (await database.query<{ n: number }>(sql))[0]!.n;
    return {
      outbox: await count("SELECT count(*) AS n FROM email_outbox WHERE invitation_id = 9001"),
      sendCount: await count("SELECT send_count AS n FROM invitations WHERE id = 9001"),
    };
  });
}
