import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { postGraphQL, RESEND_MUTATION } from "../support/graphql-client.js";
import { KEYS, loadTestFixture } from "../support/harness.js";
import { createTempDatabase } from "../support/temp-db.js";
import { freePort, startSmtpSink } from "./support/smtp-sink.js";

interface ServerProcess {
  readonly url: string;
  /** Everything the process wrote to stdout and stderr. */
  output(): string;
  /** Resolves with the exit code, or the signal that ended the process. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  kill(signal: NodeJS.Signals): void;
}

interface OutboxView {
  status: string;
  attempts: number;
  text_body: string | null;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real server as `npm start` runs it, in a child process of its own: it can be killed for real. */
async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
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
      (await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false)) || undefined,
    20_000,
  );
  return { url, output: () => output, exited, kill: (signal) => child.kill(signal) };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(50);
  }
}

describe("a server killed with mail queued", () => {
  it("delivers the email after a restart, exactly once", { timeout: 90_000 }, async () => {
    const db = await createTempDatabase();
    await loadTestFixture(db.database);
    cleanups.push(() => db.dispose());
    const outbox = () =>
      db.database.query<OutboxView>("SELECT status, attempts, text_body FROM email_outbox");

    const smtpPort = await freePort(); // the mail server is down to begin with
    const env = {
      DATABASE_URL: db.url,
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PUBLIC_URL: "https://invites.example.test",
      MAIL_FROM: "Invitations <no-reply@invites.example.test>",
      LOG_LEVEL: "info",
    };

    const first = await startServerProcess(env);
    const response = await postGraphQL(
      first.url,
      { query: RESEND_MUTATION, variables: { input: { invitationId: "9001" } } },
      { authorization: `Bearer ${KEYS.acmeAdmin}` },
    );
    expect(response.body.data?.resendInvitation).toMatchObject({ __typename: "ResendInvitationSuccess" });
    // One attempt failed (the mail server is down) and the next waits for its backoff: kill now.
    await until(async () =>
      (await outbox()).some((row) => row.status === "queued" && row.attempts > 0) ? true : undefined,
    );
    first.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    expect(await outbox()).toMatchObject([{ status: "queued" }]);
    expect((await outbox())[0]!.text_body).not.toBeNull();

    const smtp = await startSmtpSink({ port: smtpPort });
    cleanups.push(() => smtp.close());
    const second = await startServerProcess(env);
    const [email] = await smtp.waitForEmails(1, 30_000);
    await until(async () => ((await outbox())[0]?.status === "sent" ? true : undefined));
    await sleep(1_500); // time for a duplicate to show up, if there were one
    expect(smtp.received).toHaveLength(1);
    expect(await outbox()).toEqual([{ status: "sent", attempts: expect.any(Number), text_body: null }]);
    expect(email!.envelopeTo).toEqual(["bob@acme.test"]);

    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const token = /accept\?token=([\w-]+)/.exec(email!.parsed.text ?? "")![1]!;
    for (const log of [first.output(), second.output()]) {
      expect(log).toContain("mail delivery started");
      expect(log).not.toContain(token);
    }
    expect(second.output()).toContain("mail delivery stopped");
  });
});
