import { simpleParser } from "mailparser";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { postGraphQL, RESEND_MUTATION } from "../support/graphql-client.js";
import { withDatabaseAt } from "../support/temp-db.js";
import { KEYS } from "../support/harness.js";
import { startMailTestServer, type MailTestServer } from "./support/mail-test-server.js";
import { startSmtpSink, type SmtpSink } from "./support/smtp-sink.js";

const ACCEPT_LINK = /https:\/\/invites\.example\.test\/invitations\/accept\?token=([\w-]+)/;

const ACCEPT_MUTATION = /* GraphQL */ `
  mutation Accept($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      __typename
      ... on UserError {
        code
      }
    }
  }
`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const server = await startSmtpSink(options);
  cleanups.push(() => server.close());
  return server;
}

async function server(options: Parameters<typeof startMailTestServer>[0] = {}): Promise<MailTestServer> {
  const started = await startMailTestServer(options);
  cleanups.push(async () => {
    await started.close();
    await started.remove();
  });
  return started;
}

async function resend(url: string, invitationId = "9001") {
  const response = await postGraphQL(
    url,
    { query: RESEND_MUTATION, variables: { input: { invitationId } } },
    { authorization: `Bearer ${KEYS.acmeAdmin}` },
  );
  expect(response.body.data?.resendInvitation).toMatchObject({ __typename: "ResendInvitationSuccess" });
}

async function accept(url: string, token: string): Promise<unknown> {
  const response = await postGraphQL(url, { query: ACCEPT_MUTATION, variables: { input: { token } } });
  return response.body.data?.acceptInvitation;
}

/** Reads the outbox through a connection of its own, as an operator would. */
function outboxRows(databaseUrl: string): Promise<{ status: string; text_body: string | null }[]> {
  return withDatabaseAt(databaseUrl, (database) =>
    database.query("SELECT status, text_body FROM email_outbox ORDER BY id"),
  );
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(20);
  }
}

describe("the server's delivery worker", () => {
  it("delivers a resend requested over GraphQL in the background, once", async () => {
    const smtp = await sink();
    const api = await server({ env: { SMTP_URL: smtp.url }, mail: { pollIntervalMs: 20 } });
    await resend(api.url);

    const [email] = await smtp.waitForEmails(1);
    expect(email!.parsed.text).toContain(`accept?token=${api.tokens[0]}`);
    await until(async () => ((await outboxRows(api.databaseUrl))[0]?.status === "sent" ? true : undefined));
    await sleep(100);
    expect(smtp.received).toHaveLength(1);
    expect(await outboxRows(api.databaseUrl)).toEqual([{ status: "sent", text_body: null }]);
  });

  it("writes a valid .eml under the mail folder when SMTP_URL is unset", async () => {
    const api = await server({ mail: { pollIntervalMs: 20 } });
    await resend(api.url);

    const [file] = await until(() => {
      const files = existsSync(api.mailDir) ? readdirSync(api.mailDir).filter((f) => f.endsWith(".eml")) : [];
      return files.length > 0 ? files : undefined;
    });
    const parsed = await simpleParser(readFileSync(join(api.mailDir, file!)));
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : null).toEqual([
      { name: "", address: "bob@acme.test" },
    ]);
    expect(parsed.subject).toBe("Ada Admin invited you to join Acme Procurement");
    expect(parsed.text).toContain(`accept?token=${api.tokens[0]}`);
    expect(parsed.html).toContain(
      `href="https://invites.example.test/invitations/accept?token=${api.tokens[0]}"`,
    );
    await until(async () => ((await outboxRows(api.databaseUrl))[0]?.status === "sent" ? true : undefined));
  });

  it("close() (as on SIGTERM) lets the email being sent finish before the database closes", async () => {
    const smtp = await sink({ acceptDelayMs: 500 });
    const api = await server({ env: { SMTP_URL: smtp.url }, mail: { pollIntervalMs: 20 } });
    await resend(api.url);
    await smtp.dataStarted();

    await api.close();
    expect(smtp.received).toHaveLength(1);
    expect(await outboxRows(api.databaseUrl)).toEqual([{ status: "sent", text_body: null }]);
  });

  it("the old link is refused after a second resend; the new one is accepted once", async () => {
    const smtp = await sink();
    const api = await server({
      env: { SMTP_URL: smtp.url, RESEND_COOLDOWN_SECONDS: "0" },
      mail: { pollIntervalMs: 60_000 }, // the test drives delivery with runOnce()
    });
    await resend(api.url);
    await api.server.delivery.runOnce();
    await resend(api.url);
    await api.server.delivery.runOnce();

    const links = (await smtp.waitForEmails(2)).map(
      (email) => ACCEPT_LINK.exec(email.parsed.text ?? "")![1]!,
    );
    // By the order the tokens were made, not the order the emails arrived: the worker, woken by each queued
    // email, may still be sending the first when the second resend's email overtakes it.
    const [first, second] = api.tokens;
    expect(first).not.toBe(second);
    expect([...links].sort()).toEqual([first, second].sort());
    expect(await accept(api.url, first!)).toEqual({
      __typename: "InvalidInvitationToken",
      code: "INVALID_INVITATION_TOKEN",
    });
    expect(await accept(api.url, second!)).toEqual({ __typename: "AcceptInvitationSuccess" });
    expect(await accept(api.url, second!)).toEqual({
      __typename: "InvalidInvitationToken",
      code: "INVALID_INVITATION_TOKEN",
    });
  });
});
