// What the asynchronous data layer costs a resend on SQLite, in process, without HTTP: the resend's SQL work
// done (a) synchronously on the raw better-sqlite3 connection, as the bare floor does it (plus the server's
// `sqlite_sequence` read for the tenant cap), and (b) through the Store: `store.transaction` and the
// repositories, every statement awaited, as the service does it. One resend at a time, then 16 at a time (the
// benchmark's connections: (b) then also pays for its transaction queue). Rounds alternate between the two.
//
// The machine's speed drifts between rounds; the difference within each round (same minute) says more than
// either median alone.
//
//   node --import tsx bench/sqlite-layer.ts [--invitations 10000] [--resends 2000] [--rounds 10]
import "reflect-metadata";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db/open-database.js";
import { SqliteDatabase } from "../src/db/sqlite/sqlite-database.js";
import { Store } from "../src/db/store.js";
import { BENCH_API_KEY, BENCH_TENANT_ID, seedBenchDatabase } from "./seed.js";
import { median } from "./report.js";
import { InvitationIds } from "./targets.js";

const { values } = parseArgs({
  options: {
    invitations: { type: "string", default: "10000" },
    resends: { type: "string", default: "2000" },
    rounds: { type: "string", default: "10" },
  },
});
const n = Number(values.invitations);
const resends = Number(values.resends);
const rounds = Number(values.rounds);
const CAP = 1_000_000_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), "invitation-bench-layer-"));
const file = join(dir, "bench.db");
try {
  await seedBenchDatabase({ dialect: "sqlite", file }, n);
  const database = openDatabase({ dialect: "sqlite", file });
  if (!(database instanceof SqliteDatabase)) throw new Error("not SQLite");
  // As a busy server's: WAL checkpoints in the background from the start.
  database.checkpointInBackground();
  const store = new Store(database);
  const { sqlite } = database;
  const keyHash = createHash("sha256").update(BENCH_API_KEY).digest("hex");
  const owner = await store.findKeyOwner(keyHash);
  if (!owner) throw new Error("no bench key");
  const actor = { user: owner.user, tenant: owner.tenant };

  const raw = {
    invitation: sqlite.prepare(
      `SELECT i.id, i.user_id AS userId, i.status, u.name, u.email, u.kind, u.email_verified_at AS verifiedAt
         FROM invitations i LEFT JOIN users u ON u.id = i.user_id AND u.tenant_id = i.tenant_id
        WHERE i.tenant_id = ? AND i.id = ?`,
    ),
    lastIssued: sqlite.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'email_outbox'"),
    recipientCap: sqlite.prepare(
      `SELECT 1 FROM email_outbox WHERE tenant_id = ? AND to_address = ? AND created_at > ? LIMIT 1 OFFSET ${CAP - 1}`,
    ),
    cancel: sqlite.prepare(
      `UPDATE email_outbox SET status = 'cancelled', text_body = NULL, html_body = NULL
        WHERE invitation_id = ? AND status = 'queued'`,
    ),
    rotate: sqlite.prepare(
      `UPDATE invitations SET token_hash = ?, expires_at = ?, send_count = send_count + 1,
              last_sent_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' RETURNING id, send_count AS sendCount`,
    ),
    enqueue: sqlite.prepare(
      `INSERT INTO email_outbox (tenant_id, invitation_id, token_hash, to_address, subject, text_body, html_body,
                                 status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
    ),
    audit: sqlite.prepare(
      `INSERT INTO audit_events (tenant_id, actor_user_id, action, target_type, target_id, outcome, request_id,
                                 details, created_at)
       VALUES (?, ?, 'invitation.resend', 'invitation', ?, 'SUCCESS', NULL, ?, ?)`,
    ),
  };
  // Same-sized bodies for both, rendered once: rendering is not the data layer.
  const body = "x".repeat(900);
  const token = () => createHash("sha256").update(randomBytes(32)).digest("hex");

  const rawResend = (id: number) =>
    sqlite
      .transaction(() => {
        const now = Date.now();
        const invitee = raw.invitation.get(BENCH_TENANT_ID, id) as { email: string };
        raw.lastIssued.get();
        raw.recipientCap.get(BENCH_TENANT_ID, invitee.email, now - DAY);
        const tokenHash = token();
        raw.cancel.run(id);
        const rotated = raw.rotate.get(tokenHash, now + HOUR, now, now, id) as { sendCount: number };
        raw.enqueue.run(BENCH_TENANT_ID, id, tokenHash, invitee.email, "subject", body, body, now, now);
        const details = JSON.stringify({ invitationId: id, sendCount: rotated.sendCount });
        raw.audit.run(BENCH_TENANT_ID, actor.user.id, String(id), details, now);
      })
      .immediate();

  const layeredResend = (id: number) =>
    store.transaction(async (tx) => {
      const now = Date.now();
      await tx.tenants.lockForWrites(BENCH_TENANT_ID);
      const { invitee } = (await tx.invitations.findWithInviteeForUpdate(BENCH_TENANT_ID, { id }))!;
      await tx.sendQuota.tenantCap(BENCH_TENANT_ID, now - HOUR, CAP);
      await tx.sendQuota.recipientCap(BENCH_TENANT_ID, invitee!.email!, now - DAY, CAP);
      const tokenHash = token();
      await tx.outbox.cancelQueuedForInvitation(id);
      const rotated = await tx.invitations.rotateToken({ id, tokenHash, expiresAt: now + HOUR, now });
      await tx.outbox.enqueue({
        tenantId: BENCH_TENANT_ID,
        invitationId: id,
        tokenHash,
        toAddress: invitee!.email!,
        subject: "subject",
        textBody: body,
        htmlBody: body,
        now,
      });
      await tx.audit.record({
        tenantId: BENCH_TENANT_ID,
        actorUserId: actor.user.id,
        action: "invitation.resend",
        targetType: "invitation",
        targetId: String(id),
        outcome: "SUCCESS",
        requestId: null,
        details: { invitationId: id, sendCount: rotated.sendCount },
        at: now,
      });
    });

  const ids = new InvitationIds(n);
  const time = async (run: () => Promise<void>) => {
    const started = performance.now();
    await run();
    return ((performance.now() - started) * 1000) / resends;
  };
  const sequential = (resend: (id: number) => unknown) => async () => {
    for (let i = 0; i < resends; i++) await resend(ids.next());
  };
  const concurrent = (resend: (id: number) => Promise<unknown>, lanes: number) => async () => {
    let left = resends;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (left-- > 0) await resend(ids.next());
      }),
    );
  };
  const results: Record<string, number[]> = { raw: [], store: [], "store, 16 at a time": [] };
  await time(sequential(rawResend)); // warm-up
  await time(sequential(layeredResend));
  for (let round = 0; round < rounds; round++) {
    results.raw!.push(await time(sequential(rawResend)));
    results.store!.push(await time(sequential(layeredResend)));
    results["store, 16 at a time"]!.push(await time(concurrent(layeredResend, 16)));
  }
  console.log(`| way | µs per resend (median of ${rounds} rounds of ${resends}) | rounds |`);
  console.log("| --- | ---: | --- |");
  for (const [name, xs] of Object.entries(results)) {
    console.log(`| ${name} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(", ")} |`);
  }
  for (const name of ["store", "store, 16 at a time"]) {
    const differences = results[name]!.map((x, i) => x - results.raw![i]!);
    console.log(
      `| ${name} − raw, same round | ${median(differences).toFixed(0)} | ` +
        `${differences.map((x) => x.toFixed(0)).join(", ")} |`,
    );
  }
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
