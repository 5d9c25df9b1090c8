import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import pino from "pino";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuditRepository } from "../../src/db/repositories/audit.repository.js";
import { openDatabase } from "../../src/db/open-database.js";
import { Store } from "../../src/db/store.js";
import type { Resolver } from "../../src/webhooks/address-guard.js";
import { SecretBox } from "../../src/webhooks/secret-box.js";
import { WebhookWorker, type WebhookWorkerOptions } from "../../src/webhooks/webhook-worker.js";
import type { WebhookSettings } from "../../src/webhooks/webhook.service.js";
import { createHarness, KEYS, rows, T0, WEBHOOK_SECRET_KEY, type Harness } from "../support/harness.js";
import { startReceiver, type Receiver } from "./support/receiver.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const box = new SecretBox(Buffer.from(WEBHOOK_SECRET_KEY, "hex"));

/** A harness whose clock reads the real time (receivers check webhook-timestamp against theirs). */
async function harness(webhooks?: WebhookSettings): Promise<Harness> {
  const h = await createHarness({ cooldownSeconds: 0, webhooks });
  h.advance(Date.now() - T0);
  cleanups.push(() => h.dispose());
  return h;
}

function worker(
  h: Harness,
  options: WebhookWorkerOptions = {},
  store = h.container.store,
  allowPrivate = true,
) {
  return new WebhookWorker(
    {
      store,
      secrets: box,
      allowPrivate,
      now: h.now,
      logger: pino({ level: "silent" }),
      generateUuid: randomUUID,
    },
    { retry: { baseMs: 10, capMs: 20 }, ...options },
  );
}

async function receiver(options: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const started = await startReceiver(options);
  cleanups.push(() => started.close());
  return started;
}

async function endpoint(h: Harness, url: string, events: string[], key = KEYS.acmeAdmin) {
  const result = await h.container.webhooks.createWebhookEndpoint(h.call(key), { url, events });
  if (result.kind !== "CreateWebhookEndpointSuccess") throw new Error(JSON.stringify(result));
  return result;
}

const revoke = (h: Harness, id: string) =>
  h.container.service.revokeInvitation(h.call(KEYS.acmeAdmin), { invitationId: id });

describe("events are written with the change they report", () => {
  it("a rolled-back change emits nothing; a refusal emits nothing; a committed one emits once per endpoint", async () => {
    const h = await harness();
    const target = await receiver();
    target.secrets.push((await endpoint(h, target.url, ["invitation.revoked", "invitation.resent"])).secret);
    // The audit record is written last in the transaction: failing it rolls back the revocation and its event.
    const record = AuditRepository.prototype.record;
    vi.spyOn(AuditRepository.prototype, "record").mockImplementation(async function (
      this: AuditRepository,
      event,
    ) {
      if (event.action === "invitation.revoke") throw new Error("the disk is full");
      return record.call(this, event);
    });
    await expect(revoke(h, "9001")).rejects.toThrow("the disk is full");
    expect(await rows(h.db, "SELECT id FROM webhook_deliveries")).toEqual([]);
    expect(await rows(h.db, "SELECT status FROM invitations WHERE id = 9001")).toEqual([
      { status: "pending" },
    ]);
    vi.restoreAllMocks();

    // A refusal (an accepted invitation cannot be revoked) changes nothing and emits nothing.
    expect((await revoke(h, "9002")).kind).toBe("InvitationNotPending");
    expect(await rows(h.db, "SELECT id FROM webhook_deliveries")).toEqual([]);

    expect((await revoke(h, "9001")).kind).toBe("RevokeInvitationSuccess");
    expect(await rows(h.db, "SELECT event_type FROM webhook_deliveries")).toEqual([
      { event_type: "invitation.revoked" },
    ]);
    await worker(h).runOnce();
    expect(target.received.map((r) => [r.event.type, r.verifiedBy])).toEqual([["invitation.revoked", [0]]]);
  });
});

describe("signing", () => {
  it("keeps verification working through a rotation's overlap, then only the new secret signs", async () => {
    const h = await harness();
    const target = await receiver();
    const created = await endpoint(h, target.url, ["invitation.revoked", "invitation.resent"]);
    const rotated = await h.container.webhooks.rotateWebhookSecret(h.call(KEYS.acmeAdmin), {
      endpointId: String(created.endpoint.id),
      overlapHours: 1,
    });
    if (rotated.kind !== "RotateWebhookSecretSuccess") throw new Error(rotated.kind);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.endpoint.previousSecretExpiresAt).toBe(h.now() + 3_600_000);
    target.secrets.push(created.secret, rotated.secret);

    await revoke(h, "9001");
    await worker(h).runOnce();
    // A receiver still on the old secret and one already on the new one both verify.
    expect(target.received.map((r) => r.verifiedBy)).toEqual([[0, 1]]);
    expect(String(target.received[0]!.headers["webhook-signature"]).split(" ")).toHaveLength(2);

    // Past the overlap the old secret no longer signs (checked with the package's own signer: the clock moved).
    h.advance(2 * 3_600_000);
    await h.container.service.resendInvitation(h.call(KEYS.acmeAdmin), { invitationId: "9004" });
    await worker(h).runOnce();
    const later = target.received[1]!;
    const timestamp = new Date(Number(later.headers["webhook-timestamp"]) * 1000);
    const signatures = String(later.headers["webhook-signature"]).split(" ");
    expect(signatures).toEqual([new Webhook(rotated.secret).sign(later.id, timestamp, later.body)]);
    expect(signatures).not.toContain(new Webhook(created.secret).sign(later.id, timestamp, later.body));
  });

  it("stores secrets sealed: the database holds no whsec_ secret, and another key cannot open them", async () => {
    const h = await harness();
    const created = await endpoint(h, "http://127.0.0.1:9/hook", ["invitation.created"]);
    const [row] = await rows<{ secret_ciphertext: string; uuid: string }>(
      h.db,
      "SELECT secret_ciphertext, uuid FROM webhook_endpoints",
    );
    expect(row!.secret_ciphertext).not.toContain(created.secret.slice(6));
    expect(row!.secret_ciphertext).not.toContain("whsec_");
    expect(box.open(row!.secret_ciphertext, row!.uuid)).toBe(created.secret);
    expect(() => new SecretBox(Buffer.alloc(32, 1)).open(row!.secret_ciphertext, row!.uuid)).toThrow(
      /WEBHOOK_SECRET_KEY/,
    );
    expect(() => box.open(row!.secret_ciphertext, randomUUID())).toThrow();
  });
});

describe("delivery safety", () => {
  it("checks the address again at delivery (DNS rebinding) and connects only to the address it checked", async () => {
    const target = await receiver();
    let lookups = 0;
    // Public when the endpoint is saved, loopback afterwards.
    const rebinding: Resolver = async () => [
      { address: ++lookups === 1 ? "93.184.216.34" : "127.0.0.1", family: 4 },
    ];
    const h = await harness({ secrets: box, allowPrivate: false, resolve: rebinding });
    await endpoint(h, `http://hooks.rebind.test:${target.port}/hooks`, ["invitation.revoked"]);
    await revoke(h, "9001");
    const outcomes = await worker(h, { resolve: rebinding }, h.container.store, false).runOnce();
    expect(outcomes).toMatchObject([
      { kind: "retry", reason: expect.stringMatching(/refused: .*127\.0\.0\.1/) },
    ]);
    expect(target.received).toEqual([]);

    // A name only our resolver knows: the request reaches the checked address, with no lookup of its own.
    const pinned: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
    const h2 = await harness({ secrets: box, allowPrivate: true, resolve: pinned });
    await endpoint(h2, `http://hooks.invalid:${target.port}/hooks`, ["invitation.revoked"]);
    await revoke(h2, "9001");
    expect(await worker(h2, { resolve: pinned }).runOnce()).toMatchObject([
      { kind: "delivered", statusCode: 200 },
    ]);
    expect(target.received).toHaveLength(1);
    expect(target.received[0]!.headers.host).toBe(`hooks.invalid:${target.port}`);
  });

  it("speaks TLS to the URL's host name over the pinned address, and refuses a certificate it cannot verify", async () => {
    const dir = mkdtempSync(join(tmpdir(), "webhook-tls-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=hooks.tls.test",
        "-addext",
        "subjectAltName=DNS:hooks.tls.test",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const context = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    const names: string[] = [];
    let requests = 0;
    const server = createHttpsServer(
      {
        ...context,
        SNICallback: (name, done) => {
          names.push(name);
          done(null, createSecureContext(context));
        },
      },
      (_request, response) => {
        requests++;
        response.end("ok");
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const pinned: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
    const h = await harness({ secrets: box, allowPrivate: true, resolve: pinned });
    await endpoint(h, `https://hooks.tls.test:${port}/hooks`, ["invitation.revoked"]);
    await revoke(h, "9001");
    const outcomes = await worker(h, { resolve: pinned }).runOnce();
    expect(outcomes).toMatchObject([{ kind: "retry", reason: "DEPTH_ZERO_SELF_SIGNED_CERT" }]);
    expect(names).toEqual(["hooks.tls.test"]);
    expect(requests).toBe(0);
  });

  it("times out a silent receiver, does not follow redirects, and keeps only an excerpt of the body", async () => {
    const silent = await receiver({ respond: () => {} });
    const elsewhere = await receiver();
    const redirecting = await receiver({
      respond: (response) => response.writeHead(307, { location: elsewhere.url }).end(),
    });
    const chatty = await receiver({ respond: (response) => response.writeHead(500).end("x".repeat(10_000)) });
    const h = await harness();
    for (const target of [silent, redirecting, chatty]) await endpoint(h, target.url, ["invitation.revoked"]);
    await revoke(h, "9001");
    const outcomes = await worker(h, { timeouts: { responseMs: 300 } }).runOnce();
    expect(outcomes.map((o) => o.kind)).toEqual(["retry", "retry", "retry"]);
    const recorded = await rows<{
      url: string;
      last_status_code: number | null;
      last_error: string;
      response_excerpt: string | null;
    }>(
      h.db,
      `SELECT e.url, d.last_status_code, d.last_error, d.response_excerpt
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id ORDER BY e.id`,
    );
    expect(recorded[0]).toMatchObject({
      url: silent.url,
      last_status_code: null,
      last_error: "no response within 300 ms",
    });
    expect(recorded[1]).toMatchObject({
      url: redirecting.url,
      last_status_code: 307,
      last_error: "HTTP 307",
    });
    expect(recorded[2]).toMatchObject({ url: chatty.url, last_status_code: 500 });
    expect(recorded[2]!.response_excerpt).toBe("x".repeat(256));
    expect(elsewhere.received).toEqual([]);
  });

  it("disables an endpoint failing for a day, tells the tenant's other endpoints, and audits it", async () => {
    const h = await harness();
    const other = await receiver();
    const down = await endpoint(h, "http://127.0.0.1:9/down", ["invitation.revoked"]);
    await endpoint(h, other.url, ["invitation.accepted"]);
    await revoke(h, "9001");
    const w = worker(h, { retry: { baseMs: 1_000, capMs: 1_000 } });
    expect(await w.runOnce()).toMatchObject([{ kind: "retry" }]);
    h.advance(25 * 3_600_000);
    // The failure that disables it queues the notice for the other endpoint, which the same pass delivers.
    expect((await w.runOnce()).map((o) => o.kind).sort()).toEqual(["delivered", "retry"]);
    expect(other.received.map((r) => r.event.type)).toEqual(["webhook_endpoint.disabled"]);
    expect(other.received[0]!.event.data.endpoint).toMatchObject({ id: String(down.endpoint.id) });

    const listed = await h.container.webhooks.webhookEndpoints(h.call(KEYS.acmeAdmin));
    if (listed.kind !== "WebhookEndpoints") throw new Error(listed.kind);
    expect(listed.endpoints[0]).toMatchObject({
      status: "disabled",
      disabledReason: expect.stringMatching(/failed for 25 hour/),
    });
    expect(
      await rows(
        h.db,
        "SELECT action, outcome, target_id FROM audit_events WHERE action = 'webhook_endpoint.disable'",
      ),
    ).toEqual([
      { action: "webhook_endpoint.disable", outcome: "SUCCESS", target_id: String(down.endpoint.id) },
    ]);
    expect(
      await rows(h.db, "SELECT status FROM webhook_deliveries WHERE endpoint_id = ?", down.endpoint.id),
    ).toEqual([{ status: "failed" }]);

    // Redelivery waits for the endpoint to be enabled again; enabling forgets its failures.
    const [failed] = await rows<{ id: number }>(
      h.db,
      "SELECT id FROM webhook_deliveries WHERE endpoint_id = ?",
      down.endpoint.id,
    );
    const call = h.call(KEYS.acmeAdmin);
    expect((await h.container.webhooks.redeliverWebhook(call, String(failed!.id))).kind).toBe(
      "WebhookEndpointDisabled",
    );
    const enabled = await h.container.webhooks.updateWebhookEndpoint(call, {
      endpointId: String(down.endpoint.id),
      enabled: true,
    });
    expect(enabled).toMatchObject({
      kind: "UpdateWebhookEndpointSuccess",
      endpoint: { status: "active", failingSince: null },
    });
    const redelivered = await h.container.webhooks.redeliverWebhook(call, String(failed!.id));
    expect(redelivered).toMatchObject({
      kind: "RedeliverWebhookSuccess",
      delivery: { status: "queued", attempts: 0 },
    });
    // Another tenant's admin sees no such delivery.
    expect(
      (await h.container.webhooks.redeliverWebhook(h.call(KEYS.globexAdmin), String(failed!.id))).kind,
    ).toBe("WebhookDeliveryNotFound");
  });
});

describe("several workers on one database (several instances)", () => {
  it("deliver each event once per endpoint", { timeout: 30_000 }, async () => {
    const h = await harness();
    const first = await receiver();
    const second = await receiver();
    await endpoint(h, first.url, ["invitation.resent", "invitation.created"]);
    await endpoint(h, second.url, ["invitation.resent", "invitation.created"]);
    for (let i = 0; i < 8; i++) {
      const result = await h.container.service.inviteUser(h.call(KEYS.acmeAdmin), {
        email: `many${i}@acme.test`,
      });
      expect(result.kind).toBe("InviteUserSuccess");
    }
    const otherConnection = openDatabase(h.db.location);
    cleanups.push(() => otherConnection.close());
    const workers = [
      worker(h, { concurrency: 3 }),
      worker(h, { concurrency: 3 }, new Store(otherConnection)),
    ];
    const outcomes = (await Promise.all(workers.map((w) => w.runOnce()))).flat();
    expect(outcomes.filter((o) => o.kind === "delivered")).toHaveLength(16);
    for (const target of [first, second]) {
      const ids = target.received.map((r) => r.id);
      expect(ids).toHaveLength(8);
      expect(new Set(ids).size).toBe(8);
    }
    // The same event carries the same webhook-id to both endpoints.
    expect(new Set(first.received.map((r) => r.id))).toEqual(new Set(second.received.map((r) => r.id)));
  });
});
