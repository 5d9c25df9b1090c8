import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryWorker, type DeliveryWorkerOptions } from "../../src/mail/delivery-worker.js";
import { createMailTransport } from "../../src/mail/mail-transport.js";
import { createHarness, KEYS, rows, T0, type Harness } from "../support/harness.js";
import { freePort, startSmtpSink, type SmtpSink } from "./support/smtp-sink.js";

const MAIL_FROM = "Invitations <no-reply@invites.example.test>";
const ACCEPT_URL = "https://invites.example.test/invitations/accept?token=";

interface OutboxRowView {
  id: number;
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  message_id: string | null;
  text_body: string | null;
  html_body: string | null;
  sent_at: number | null;
  created_at: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
const workers: DeliveryWorker[] = [];
afterEach(async () => {
  // Workers first: a mail server waits for open pooled connections before it closes.
  for (const delivery of workers.splice(0)) await delivery.stop();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: { cooldownSeconds?: number } = {}): Promise<Harness> {
  const h = await createHarness({ cooldownSeconds: options.cooldownSeconds ?? 0 });
  cleanups.push(() => h.dispose());
  return h;
}

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const server = await startSmtpSink(options);
  cleanups.push(() => server.close());
  return server;
}

/** A worker over the harness's database and clock; jitter pinned to 0, so the first retry waits exactly 1 s. */
function worker(
  h: Harness,
  smtpUrl: string | null,
  options: DeliveryWorkerOptions & { mailDir?: string } = {},
) {
  const delivery = new DeliveryWorker(
    {
      store: h.container.store,
      transport: createMailTransport({ smtpUrl, mailDir: options.mailDir }),
      mailFrom: MAIL_FROM,
      now: () => h.now(),
      logger: pino({ level: "silent" }),
    },
    { random: () => 0, ...options },
  );
  workers.push(delivery);
  return delivery;
}

async function resend(h: Harness, invitationId = "9001") {
  const result = await h.container.service.resendInvitation(h.call(KEYS.acmeAdmin), { invitationId });
  expect(result.kind).toBe("ResendInvitationSuccess");
}

const outbox = (h: Harness) => rows<OutboxRowView>(h.db, "SELECT * FROM email_outbox ORDER BY id");
const lastOutbox = async (h: Harness) => (await outbox(h)).at(-1)!;
const run = (h: Harness, sql: string, ...params: unknown[]) => rows(h.db, sql, ...params);

describe("delivering a resent invitation over SMTP", () => {
  it("sends both parts from MAIL_FROM to the invitee's current address, with the link, the expiry and escaped names", async () => {
    const h = await setUp();
    const smtp = await sink();
    await run(h, "UPDATE tenants SET name = ? WHERE id = 1024", `Acme <Procurement> & "Sons"`);
    await run(h, "UPDATE users SET name = ? WHERE id = 1", "Ada <script>alert(1)</script>");
    await run(h, "UPDATE users SET email = ? WHERE id = 2", "robert@acme.test");
    await resend(h);

    expect(await worker(h, smtp.url).runOnce()).toMatchObject([{ kind: "sent", attempt: 1 }]);
    const [email] = smtp.received;
    const row = await lastOutbox(h);
    const link = ACCEPT_URL + h.tokens[0];
    const { parsed } = email!;

    expect(email!.envelopeTo).toEqual(["robert@acme.test"]);
    expect(parsed.from?.value).toEqual([{ name: "Invitations", address: "no-reply@invites.example.test" }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : null).toEqual([
      { name: "", address: "robert@acme.test" },
    ]);
    expect(parsed.subject).toBe(
      `Ada <script>alert(1)</script> invited you to join Acme <Procurement> & "Sons"`,
    );
    expect(parsed.messageId).toBe(`<invitation-${row.id}.${T0.toString(36)}@invites.example.test>`);
    expect(parsed.date).toBeInstanceOf(Date);

    expect(parsed.text).toContain(link);
    expect(parsed.text).toContain(
      `Ada <script>alert(1)</script> has invited you to join Acme <Procurement> & "Sons".`,
    );
    expect(parsed.text).toContain("expires on 2026-03-08 12:00:00 UTC");

    const html = String(parsed.html);
    expect(html).toContain(`href="${link}"`);
    expect(html).toContain("Ada &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("Acme &lt;Procurement&gt; &amp; &quot;Sons&quot;");
    expect(html).not.toContain("<script>");
    expect(html).toContain("2026-03-08 12:00:00 UTC");
  });

  it("purges the body once delivered and records the Message-ID, the attempt and the time", async () => {
    const h = await setUp();
    const smtp = await sink();
    await resend(h);
    await worker(h, smtp.url).runOnce();

    const row = await lastOutbox(h);
    expect(row).toMatchObject({
      status: "sent",
      attempts: 1,
      sent_at: T0,
      lease_until: null,
      last_error: null,
      text_body: null,
      html_body: null,
      message_id: smtp.received[0]!.parsed.messageId,
    });
    expect(await h.container.store.outbox.latestDeliveryForInvitation(9001)).toEqual({
      status: "sent",
      attempts: 1,
      lastError: null,
      deliveredAt: T0,
      createdAt: T0,
    });
  });
});

describe("temporary failures", () => {
  it("mail server down, then up: retried after the backoff and delivered exactly once", async () => {
    const h = await setUp();
    const port = await freePort();
    const delivery = worker(h, `smtp://127.0.0.1:${port}`);
    await resend(h);

    const [first] = await delivery.runOnce();
    expect(first).toMatchObject({ kind: "retry", attempt: 1, nextAttemptAt: T0 + 1_000 });
    expect(await lastOutbox(h)).toMatchObject({ status: "queued", attempts: 1, next_attempt_at: T0 + 1_000 });
    expect((await lastOutbox(h)).last_error).toMatch(/ECONNREFUSED|connect/i);
    expect((await lastOutbox(h)).text_body).not.toBeNull();
    expect(await delivery.runOnce()).toEqual([]); // not due yet

    const smtp = await sink({ port });
    h.advance(1_000);
    expect(await delivery.runOnce()).toMatchObject([{ kind: "sent", attempt: 2 }]);
    h.advance(86_400_000);
    expect(await delivery.runOnce()).toEqual([]);
    expect(smtp.received).toHaveLength(1);
    expect(await lastOutbox(h)).toMatchObject({
      status: "sent",
      attempts: 2,
      last_error: null,
      text_body: null,
    });
  });

  it("treats a 421 reply as temporary", async () => {
    const h = await setUp();
    const smtp = await sink({ refuseFirstConnections: 1 });
    const delivery = worker(h, smtp.url);
    await resend(h);

    const [first] = await delivery.runOnce();
    expect(first).toMatchObject({ kind: "retry", reason: expect.stringContaining("421") });
    h.advance(1_000);
    expect(await delivery.runOnce()).toMatchObject([{ kind: "sent", attempt: 2 }]);
    expect(smtp.received).toHaveLength(1);
  });

  it("backs off exponentially and gives up as FAILED after the last attempt, keeping the error", async () => {
    const h = await setUp();
    const delivery = worker(h, `smtp://127.0.0.1:${await freePort()}`, {
      retry: { baseMs: 1_000, capMs: 3_000, maxAttempts: 4 },
    });
    await resend(h);

    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [outcome] = await delivery.runOnce();
      expect(outcome).toMatchObject({ kind: "retry", attempt });
      const wait = (await lastOutbox(h)).next_attempt_at - h.now();
      waits.push(wait);
      h.advance(wait);
    }
    expect(waits).toEqual([500, 1_000, 1_500]); // half of 1 s, 2 s, then the 3 s cap: jitter pinned to its minimum

    const [last] = await delivery.runOnce();
    expect(last).toMatchObject({
      kind: "failed",
      attempt: 4,
      reason: expect.stringMatching(/^gave up after 4 attempts: /),
    });
    const row = await lastOutbox(h);
    expect(row).toMatchObject({ status: "failed", attempts: 4, text_body: null, html_body: null });
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(await h.container.store.outbox.latestDeliveryForInvitation(9001)).toMatchObject({
      status: "failed",
      attempts: 4,
      lastError: row.last_error,
      deliveredAt: null,
    });
  });
});

describe("permanent failures", () => {
  it("5xx: FAILED with the server's reason, never retried", async () => {
    const h = await setUp();
    const smtp = await sink({ rejectRecipients: { code: 550, message: "5.1.1 mailbox unavailable" } });
    const delivery = worker(h, smtp.url);
    await resend(h);

    expect(await delivery.runOnce()).toMatchObject([{ kind: "failed", attempt: 1 }]);
    const row = await lastOutbox(h);
    expect(row).toMatchObject({
      status: "failed",
      attempts: 1,
      text_body: null,
      html_body: null,
      sent_at: null,
    });
    expect(row.last_error).toContain("550");
    expect(row.last_error).toContain("mailbox unavailable");

    h.advance(86_400_000);
    expect(await delivery.runOnce()).toEqual([]);
    expect(smtp.recipientAttempts).toEqual(["bob@acme.test"]);
    expect(smtp.received).toHaveLength(0);
  });
});

describe("emails whose link is dead", () => {
  it("sends only the latest of two resends", async () => {
    const h = await setUp();
    const smtp = await sink();
    await resend(h);
    await resend(h);

    expect(await worker(h, smtp.url).runOnce()).toMatchObject([{ kind: "sent" }]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.parsed.text).toContain(ACCEPT_URL + h.tokens[1]);
    expect((await outbox(h)).map((row) => [row.status, row.text_body])).toEqual([
      ["cancelled", null],
      ["sent", null],
    ]);
  });

  it("does not send a queued email whose invitation got a new link since", async () => {
    const h = await setUp();
    const smtp = await sink();
    await resend(h);
    // As a crashed worker's email that a resend could not cancel: its link was replaced meanwhile.
    await run(h, "UPDATE invitations SET token_hash = 'replaced' WHERE id = 9001");

    expect(await worker(h, smtp.url).runOnce()).toMatchObject([
      { kind: "cancelled", reason: expect.stringMatching(/^superseded/) },
    ]);
    expect(smtp.received).toHaveLength(0);
    expect(await lastOutbox(h)).toMatchObject({
      status: "cancelled",
      text_body: null,
      html_body: null,
      attempts: 0,
    });
  });

  it("does not send an email revoked while a crashed worker held it", async () => {
    const h = await setUp();
    const smtp = await sink();
    await resend(h);
    const row = await lastOutbox(h);
    run(
      h,
      "UPDATE email_outbox SET status = 'sending', attempts = 1, lease_until = ? WHERE id = ?",
      T0 + 60_000,
      row.id,
    );
    const revoked = await h.container.service.revokeInvitation(h.call(KEYS.acmeAdmin), {
      invitationId: "9001",
    });
    expect(revoked.kind).toBe("RevokeInvitationSuccess");
    expect((await lastOutbox(h)).status).toBe("sending"); // revoking only cancels what is still queued

    h.advance(60_000);
    expect(await worker(h, smtp.url).runOnce()).toMatchObject([
      { kind: "cancelled", outboxId: row.id, reason: "the invitation was revoked" },
    ]);
    expect(smtp.received).toHaveLength(0);
    expect(await lastOutbox(h)).toMatchObject({ status: "cancelled", text_body: null, html_body: null });
  });

  it("does not send a revoked invitation's queued email", async () => {
    const h = await setUp();
    const smtp = await sink();
    await resend(h);
    await h.container.service.revokeInvitation(h.call(KEYS.acmeAdmin), { invitationId: "9001" });

    expect(await worker(h, smtp.url).runOnce()).toEqual([]);
    expect(smtp.received).toHaveLength(0);
    expect(await lastOutbox(h)).toMatchObject({ status: "cancelled", text_body: null, html_body: null });
  });
});

describe("leases", () => {
  it("leaves an email claimed by another worker alone until its lease ends, then retakes it", async () => {
    const h = await setUp();
    const smtp = await sink();
    await resend(h);
    const { id } = await lastOutbox(h);
    run(
      h,
      "UPDATE email_outbox SET status = 'sending', attempts = 1, lease_until = ? WHERE id = ?",
      T0 + 120_000,
      id,
    );
    const delivery = worker(h, smtp.url);

    h.advance(119_999);
    expect(await delivery.runOnce()).toEqual([]);
    h.advance(1);
    expect(await delivery.runOnce()).toMatchObject([{ kind: "sent", outboxId: id, attempt: 2 }]);
    expect(smtp.received).toHaveLength(1);
  });

  it("claims with a lease, so a second worker on the same database does not send the email too", async () => {
    const h = await setUp();
    const smtp = await sink({ acceptDelayMs: 200 });
    await resend(h);
    const [a, b] = [worker(h, smtp.url), worker(h, smtp.url)];

    const [first, second] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect([...first, ...second]).toMatchObject([{ kind: "sent", attempt: 1 }]);
    expect(smtp.received).toHaveLength(1);
  });
});

describe("stopping", () => {
  it("stop() waits for the email being sent, then polls no more", async () => {
    const h = await setUp();
    const smtp = await sink({ acceptDelayMs: 300 });
    const delivery = worker(h, smtp.url, { pollIntervalMs: 10 });
    await resend(h);
    delivery.start();
    await smtp.dataStarted();

    await delivery.stop();
    expect((await lastOutbox(h)).status).toBe("sent");

    await resend(h);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await lastOutbox(h)).status).toBe("queued");
    expect(smtp.received).toHaveLength(1);
  });
});
