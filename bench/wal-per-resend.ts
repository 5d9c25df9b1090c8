// What one resend writes on SQLite: WAL frames (pages) and bytes per resend, for the service's own resend
// (the server's whole transaction: createContainer → service.resendInvitation, as every adapter calls it), for
// the mirror floor's statements (bench/floor.ts mirror: the server's SQL on our schema) and for the strict
// floor's (bench/floor.ts strict: its own minimal schema, bench/strict-schema.ts). Counted, not timed, so the figure
// does not depend on the machine: automatic checkpoints are off, the WAL starts empty, and after the resends
// `PRAGMA wal_checkpoint(PASSIVE)` reports how many frames the WAL holds. Each frame is one page plus a
// 24-byte header; a page rewritten by several statements of one transaction is written once, at commit.
//
//   node --import tsx bench/wal-per-resend.ts [--invitations 10000] [--resends 2000]
import "reflect-metadata";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createContainer } from "../src/container.js";
import { openDatabase } from "../src/db/open-database.js";
import { SqliteDatabase } from "../src/db/sqlite/sqlite-database.js";
import type { CallContext } from "../src/invitations/invitation.service.js";
import { BENCH_API_KEY, BENCH_TENANT_ID, seedBenchDatabase } from "./seed.js";
import { strictCopyOf } from "./strict-schema.js";
import { InvitationIds } from "./targets.js";

const { values } = parseArgs({
  options: {
    invitations: { type: "string", default: "10000" },
    resends: { type: "string", default: "2000" },
  },
});
const n = Number(values.invitations);
const resends = Number(values.resends);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const CAP = 1_000_000_000;

interface Written {
  readonly frames: number;
  readonly bytes: number;
}

// A busy connection moves its checkpoints to a background thread, which would reset the WAL being counted.
SqliteDatabase.prototype.checkpointInBackground = () => undefined;

const dir = mkdtempSync(join(tmpdir(), "invitation-bench-wal-"));
try {
  const rows: [string, Written][] = [];
  rows.push([
    "service.resendInvitation (the server's transaction)",
    await measure("service", serviceResends),
  ]);
  rows.push(["mirror floor's statements (our schema)", await measure("mirror", floorResends("mirror"))]);
  rows.push(["strict floor's statements (minimal schema)", await measure("strict", floorResends("strict"))]);

  console.log(`| resend (${resends} over ${n.toLocaleString("en-US")} invitations) | pages | bytes |`);
  console.log("| --- | ---: | ---: |");
  for (const [name, { frames, bytes }] of rows) {
    console.log(`| ${name} | ${frames.toFixed(2)} | ${Math.round(bytes)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Seeds a fresh file, runs the resends, and returns what the WAL gained per resend. */
async function measure(
  name: string,
  run: (database: SqliteDatabase, ids: InvitationIds) => Promise<void>,
): Promise<Written> {
  const seeded = join(dir, `${name}.db`);
  await seedBenchDatabase({ dialect: "sqlite", file: seeded }, n);
  const file = name === "strict" ? strictCopyOf(seeded) : seeded;
  const database = openDatabase({ dialect: "sqlite", file });
  if (!(database instanceof SqliteDatabase)) throw new Error("not SQLite");
  try {
    const { sqlite } = database;
    sqlite.pragma("wal_autocheckpoint = 0");
    const ids = new InvitationIds(n);
    // The same invitations sent once first, so each measured resend also cancels the email its last send queued.
    await run(database, new InvitationIds(n));
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    await run(database, ids);
    const [state] = sqlite.pragma("wal_checkpoint(PASSIVE)") as { log: number }[];
    const pageSize = sqlite.pragma("page_size", { simple: true }) as number;
    const frames = state!.log / resends;
    return { frames, bytes: frames * (pageSize + 24) };
  } finally {
    await database.close();
  }
}

async function serviceResends(database: SqliteDatabase, ids: InvitationIds): Promise<void> {
  const { service } = createContainer({
    database,
    settings: {
      invitationTtlMs: 7 * DAY,
      resendCooldownMs: 0,
      publicUrl: "http://localhost:3000",
      emailCaps: { perTenantPerHour: CAP, perRecipientPerDay: CAP },
    },
  });
  const call: CallContext = { credentials: { apiKey: BENCH_API_KEY, tenantClaims: [] }, requestId: null };
  for (let i = 0; i < resends; i++) {
    const result = await service.resendInvitation(call, { invitationId: String(ids.next()) });
    if (result.kind !== "ResendInvitationSuccess") throw new Error(`resend refused: ${result.kind}`);
  }
}

/** A floor's statements (bench/floor.ts), with email bodies of the size the server renders. */
function floorResends(design: "strict" | "mirror") {
  return async (database: SqliteDatabase, ids: InvitationIds) => {
    const { sqlite } = database;
    if (design === "strict")
      for (const pragma of ["secure_delete = OFF", "foreign_keys = OFF"]) sqlite.pragma(pragma);
    const strict = design === "strict";
    const statement = {
      invitation: sqlite.prepare(
        "SELECT id, user_id AS userId FROM invitations WHERE tenant_id = ? AND id = ?",
      ),
      invitee: sqlite.prepare("SELECT email FROM users WHERE tenant_id = ? AND id = ?"),
      recipientCap: sqlite.prepare(
        `SELECT 1 FROM email_outbox WHERE tenant_id = ? AND to_address = ? AND created_at > ? LIMIT 1 OFFSET ${CAP - 1}`,
      ),
      cancel: strict
        ? null
        : sqlite.prepare(
            `UPDATE email_outbox SET status = 'cancelled', text_body = NULL, html_body = NULL
            WHERE invitation_id = ? AND status = 'queued'`,
          ),
      rotate: sqlite.prepare(
        `UPDATE invitations SET token_hash = ?, expires_at = ?, send_count = send_count + 1, last_sent_at = ?,
              updated_at = ? WHERE id = ? AND status = 'pending' RETURNING send_count AS sendCount`,
      ),
      enqueue: sqlite.prepare(
        strict
          ? `INSERT INTO email_outbox (tenant_id, to_address, subject, text_body, html_body, status, next_attempt_at,
                                     created_at)
           VALUES (@tenantId, @toAddress, @subject, @text, @html, 'queued', @nextAttemptAt, @now)`
          : `INSERT INTO email_outbox (tenant_id, invitation_id, token_hash, to_address, subject, text_body,
                                     html_body, status, attempts, next_attempt_at, created_at)
           VALUES (@tenantId, @invitationId, @tokenHash, @toAddress, @subject, @text, @html, 'queued', 0,
                   @nextAttemptAt, @now)`,
      ),
      audit: sqlite.prepare(
        `INSERT INTO audit_events (tenant_id, actor_user_id, action, target_type, target_id, outcome, details,
                                 created_at)
       VALUES (?, NULL, 'invitation.resend', 'invitation', ?, 'SUCCESS', ?, ?)`,
      ),
    };
    const text = "t".repeat(700);
    const html = "h".repeat(1900);
    const resend = sqlite.transaction((id: number) => {
      const now = Date.now();
      const invitation = statement.invitation.get(BENCH_TENANT_ID, id) as { userId: number };
      const invitee = statement.invitee.get(BENCH_TENANT_ID, invitation.userId) as { email: string };
      statement.recipientCap.get(BENCH_TENANT_ID, invitee.email, now - DAY);
      const tokenHash = createHash("sha256").update(randomBytes(32)).digest("hex");
      statement.cancel?.run(id);
      const { sendCount } = statement.rotate.get(tokenHash, now + 7 * DAY, now, now, id) as {
        sendCount: number;
      };
      const email = {
        tenantId: BENCH_TENANT_ID,
        toAddress: invitee.email,
        subject: "subject",
        text,
        html,
        now,
      };
      statement.enqueue.run({
        ...email,
        nextAttemptAt: now + HOUR,
        ...(strict ? {} : { invitationId: id, tokenHash }),
      });
      statement.audit.run(BENCH_TENANT_ID, String(id), JSON.stringify({ sendCount }), now);
    });
    for (let i = 0; i < resends; i++) resend.immediate(ids.next());
  };
}
