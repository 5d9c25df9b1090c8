import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { postGraphQL } from "../support/graphql-client.js";
import { KEYS, loadTestFixture, WEBHOOK_SECRET_KEY } from "../support/harness.js";
import { createTempDatabase } from "../support/temp-db.js";
import { freePort } from "../mail/support/smtp-sink.js";
import { startReceiver } from "./support/receiver.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real server as `npm start` runs it, in a child process of its own, so it can be killed for real. */
async function startServerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  await until(
    async () =>
      (await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
        ? true
        : undefined,
    20_000,
  );
  return { url, output: () => output, exited, kill: (signal: NodeJS.Signals) => child.kill(signal) };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(50);
  }
}

it(
  "a server killed with webhook deliveries queued delivers them after a restart, once",
  { timeout: 90_000 },
  async () => {
    const db = await createTempDatabase();
    await loadTestFixture(db.database);
    cleanups.push(() => db.dispose());
    const deliveries = () =>
      db.database.query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM webhook_deliveries",
      );

    const receiverPort = await freePort(); // the receiver is down to begin with
    const env = {
      DATABASE_URL: db.url,
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      PUBLIC_URL: "https://invites.example.test",
      WEBHOOK_SECRET_KEY,
      WEBHOOK_ALLOW_PRIVATE: "on",
      LOG_LEVEL: "info",
    };
    const first = await startServerProcess(env);
    const admin = { authorization: `Bearer ${KEYS.acmeAdmin}` };
    const created = await postGraphQL(
      first.url,
      {
        query: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on CreateWebhookEndpointSuccess { secret } } }`,
        variables: {
          input: { url: `http://127.0.0.1:${receiverPort}/hooks`, events: ["invitation.revoked"] },
        },
      },
      admin,
    );
    const secret = (created.body.data?.createWebhookEndpoint as { secret: string }).secret;
    expect(secret).toMatch(/^whsec_/);
    const revoked = await postGraphQL(
      first.url,
      { query: `mutation { revokeInvitation(input: { invitationId: "9001" }) { __typename } }` },
      admin,
    );
    expect(revoked.body.data?.revokeInvitation).toEqual({ __typename: "RevokeInvitationSuccess" });
    // One attempt failed (the receiver is down) and the next waits for its backoff: kill now.
    await until(async () =>
      (await deliveries()).some((d) => d.status === "queued" && d.attempts > 0) ? true : undefined,
    );
    first.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    const receiver = await startReceiver({ port: receiverPort });
    receiver.secrets.push(secret);
    cleanups.push(() => receiver.close());
    const second = await startServerProcess(env);
    await receiver.waitFor((all) => all.length >= 1, 30_000);
    await until(async () => ((await deliveries())[0]?.status === "delivered" ? true : undefined));
    await sleep(1_000); // time for a duplicate to show up, if there were one
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.verifiedBy).toEqual([0]);
    expect(receiver.received[0]!.event.type).toBe("invitation.revoked");

    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    for (const log of [first.output(), second.output()]) expect(log).not.toContain(secret);
  },
);
