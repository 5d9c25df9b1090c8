import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import pino from "pino";
import { afterEach, expect, it } from "vitest";
import { Store } from "../../src/db/store.js";
import { projectRoot } from "../../src/paths.js";
import { SecretBox } from "../../src/webhooks/secret-box.js";
import { WebhookWorker } from "../../src/webhooks/webhook-worker.js";
import { ACME, loadTestFixture, rows, WEBHOOK_SECRET_KEY } from "../support/harness.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";
import { startReceiver } from "./support/receiver.js";

/** What the CLI printed, walked by the test as it expects it to be. */
type ParsedJson = ReturnType<typeof JSON.parse>;

const CLI = join(projectRoot, "src", "cli", "main.ts");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function cli(db: TempDatabase, env: Record<string, string>, ...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: db.url, ...env },
    encoding: "utf8",
  });
  return { status, stdout, stderr, json: (): ParsedJson => JSON.parse(stdout) };
}

it(
  "creates, lists, rotates and deletes endpoints; a server signs with the secret it printed",
  { timeout: 60_000 },
  async () => {
    const db = await createTempDatabase();
    await loadTestFixture(db.database);
    cleanups.push(() => db.dispose());
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const env = { WEBHOOK_SECRET_KEY, WEBHOOK_ALLOW_PRIVATE: "on" };

    const created = cli(
      db,
      env,
      "webhook",
      "create",
      "--tenant",
      ACME.uuid,
      "--url",
      receiver.url,
      "--events",
      "invitation.created,invitation.revoked",
    );
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const { secret, endpoint } = created.json();
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({
      url: receiver.url,
      events: ["invitation.created", "invitation.revoked"],
      status: "active",
    });
    expect(cli(db, {}, "webhook", "list", "--tenant", String(ACME.id)).json().endpoints).toEqual([endpoint]);

    const rotated = cli(
      db,
      env,
      "webhook",
      "rotate",
      "--id",
      String(endpoint.id),
      "--overlap-hours",
      "2",
    ).json();
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretExpiresAt).not.toBeNull();
    receiver.secrets.push(secret, rotated.secret);

    // An event, delivered by a worker as a server runs it: both secrets verify during the overlap.
    await db.database.query(
      "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, 'msg_cli', 'invitation.created', '{}', 'queued', 0, 0, 0)",
      [ACME.id, endpoint.id],
    );
    const worker = new WebhookWorker({
      store: new Store(db.database),
      secrets: new SecretBox(Buffer.from(WEBHOOK_SECRET_KEY, "hex")),
      allowPrivate: true,
      now: Date.now,
      logger: pino({ level: "silent" }),
      generateUuid: randomUUID,
    });
    expect(await worker.runOnce()).toMatchObject([{ kind: "delivered" }]);
    expect(receiver.received.map((r) => r.verifiedBy)).toEqual([[0, 1]]);

    expect(cli(db, {}, "webhook", "delete", "--id", String(endpoint.id)).json()).toEqual({
      ok: true,
      id: endpoint.id,
      url: receiver.url,
    });
    expect(await rows(db, "SELECT id FROM webhook_endpoints")).toEqual([]);
    const audited = await rows<{ action: string }>(
      db,
      "SELECT action FROM audit_events WHERE action LIKE 'webhook_%' ORDER BY id",
    );
    expect(audited.map((a) => a.action)).toEqual([
      "webhook_endpoint.create",
      "webhook_endpoint.rotate_secret",
      "webhook_endpoint.delete",
    ]);
  },
);

it("refuses bad flags, a missing key and private addresses with one clear line", async () => {
  const db = await createTempDatabase();
  await loadTestFixture(db.database);
  cleanups.push(() => db.dispose());
  const create = (env: Record<string, string>, url: string, events = "invitation.created") =>
    cli(db, env, "webhook", "create", "--tenant", String(ACME.id), "--url", url, "--events", events);

  const noKey = create({ WEBHOOK_SECRET_KEY: "" }, "http://127.0.0.1:9/hook");
  expect(noKey.status).toBe(1);
  expect(noKey.stderr).toMatch(/^error: WEBHOOK_SECRET_KEY: not set/);
  const metadata = create({ WEBHOOK_SECRET_KEY }, "http://169.254.169.254/latest");
  expect(metadata.status).toBe(1);
  expect(metadata.stderr).toMatch(/^error: --url: refused: .*169\.254\.169\.254/);
  const badEvents = create({ WEBHOOK_SECRET_KEY }, "https://hooks.example.com/", "invitation.nope");
  expect(badEvents.status).toBe(2);
  expect(badEvents.stderr).toContain("--events: Unknown event type");
  expect(cli(db, {}, "webhook", "fly").status).toBe(2);
  expect(await rows(db, "SELECT id FROM webhook_endpoints")).toEqual([]);
});
