// The bare floors: the least code that does a resend's work, on node:http and better-sqlite3 alone, so the
// benchmark can say what the real server's layers (and, with `strict`, its data design) cost. Per request:
// authenticate a hashed key, load the invitation, check its state and its invitee, and in one BEGIN IMMEDIATE
// transaction check the recipient's email cap, rotate the token, extend the expiry, count the send, queue the
// rendered email and write the audit row.
//
// Usage: node --import tsx bench/floor.ts DATABASE_FILE PORT [background|inline] [strict|mirror]
// - background|inline: where WAL checkpoints happen: in a background thread, as the server does
//   (src/db/sqlite/background-checkpoints.ts), or inline (SQLite's default).
// - strict (the benchmark's default): the least a correct resend needs, on its own minimal schema (strict-schema.ts)
//   filled from DATABASE_FILE: no superseded-email cancel, indexes only for key and token-hash lookups, due-email
//   claims, recipient caps and tenant audit listing. The project's schema and storage choices then count
//   against the server, as they do for its users.
// - mirror: the project's own schema and the server's statements (the superseded email cancelled in the same
//   transaction), so the ratio measures the server's layers alone.
import Database from "better-sqlite3";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { startBackgroundCheckpoints } from "../src/db/sqlite/background-checkpoints.js";
import { CONNECTION_PRAGMAS } from "../src/db/sqlite/sqlite-database.js";
import { STRICT_PRAGMAS, strictCopyOf } from "./strict-schema.js";

const [databaseFile, port, checkpoints = "background", design = "strict"] = process.argv.slice(2);
if (
  !databaseFile ||
  !port ||
  !["inline", "background"].includes(checkpoints) ||
  !["strict", "mirror"].includes(design)
) {
  throw new Error("usage: floor.ts DATABASE_FILE PORT [background|inline] [strict|mirror]");
}
const strict = design === "strict";

const TTL_MS = 168 * 3_600_000;
const PUBLIC_URL = "http://127.0.0.1";
/** As the benchmark configures the server: caps kept on, out of reach. */
const RECIPIENT_CAP = 1_000_000_000;
const DAY_MS = 24 * 3_600_000;

const sqlite = new Database(strict ? strictCopyOf(databaseFile) : databaseFile);
// mirror: the server's own settings (secure_delete, foreign keys), so both pay the same; strict: WAL and
// synchronous = NORMAL, the same durability without the rest.
for (const pragma of strict ? STRICT_PRAGMAS : CONNECTION_PRAGMAS) sqlite.pragma(pragma);
if (checkpoints === "background") startBackgroundCheckpoints(sqlite);

const statements = {
  keyOwner: sqlite.prepare<[string]>(
    `SELECT k.id AS keyId, u.id AS userId, u.name AS userName, u.role, t.id AS tenantId, t.name AS tenantName
       FROM api_keys k JOIN users u ON u.id = k.user_id JOIN tenants t ON t.id = k.tenant_id
      WHERE k.key_hash = ? AND k.revoked_at IS NULL AND t.status = 'active'`,
  ),
  // The invitation and its invitee in one statement, as the server reads them.
  invitation: sqlite.prepare<[number, number]>(
    `SELECT i.id, i.user_id AS userId, i.status, u.name, u.email, u.kind, u.email_verified_at AS verifiedAt
       FROM invitations i LEFT JOIN users u ON u.id = i.user_id AND u.tenant_id = i.tenant_id
      WHERE i.tenant_id = ? AND i.id = ?`,
  ),
  // The server's per-recipient cap: a row at offset cap - 1 exists exactly when the cap is reached.
  recipientCapReached: sqlite.prepare<[number, string, number]>(
    `SELECT 1 FROM email_outbox WHERE tenant_id = ? AND to_address = ? AND created_at > ? LIMIT 1 OFFSET ${RECIPIENT_CAP - 1}`,
  ),
  // mirror only: the strict floor leaves a superseded email to the delivery worker's dead-link check.
  cancelSuperseded: strict
    ? null
    : sqlite.prepare<[number]>(
        `UPDATE email_outbox SET status = 'cancelled', text_body = NULL, html_body = NULL
          WHERE invitation_id = ? AND status = 'queued'`,
      ),
  rotate: sqlite.prepare<[string, number, number, number, number]>(
    `UPDATE invitations SET token_hash = ?, expires_at = ?, send_count = send_count + 1,
            last_sent_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'
     RETURNING id, uuid, status, expires_at AS expiresAt, send_count AS sendCount, last_sent_at AS lastSentAt`,
  ),
  // strict: the email row holds what delivery needs; mirror: also the invitation and token it carries.
  enqueue: strict
    ? sqlite.prepare(
        `INSERT INTO email_outbox (tenant_id, to_address, subject, text_body, html_body, status, next_attempt_at,
                                   created_at)
         VALUES (@tenantId, @toAddress, @subject, @text, @html, 'queued', @now, @now)`,
      )
    : sqlite.prepare(
        `INSERT INTO email_outbox (tenant_id, invitation_id, token_hash, to_address, subject, text_body,
                                   html_body, status, next_attempt_at, created_at)
         VALUES (@tenantId, @invitationId, @tokenHash, @toAddress, @subject, @text, @html, 'queued', @now, @now)`,
      ),
  audit: sqlite.prepare(
    `INSERT INTO audit_events (tenant_id, actor_user_id, action, target_type, target_id, outcome, request_id,
                               details, created_at)
     VALUES (?, ?, 'invitation.resend', 'invitation', ?, 'SUCCESS', ?, ?, ?)`,
  ),
};

interface KeyOwner {
  keyId: number;
  userId: number;
  userName: string;
  role: string;
  tenantId: number;
  tenantName: string;
}
/** The invitation with its invitee's columns (null when the invitee is missing). */
interface InvitationRow {
  id: number;
  userId: number;
  status: string;
  name: string;
  email: string | null;
  kind: string;
  verifiedAt: number | null;
}
interface Rotated {
  id: number;
  uuid: string;
  status: string;
  expiresAt: number;
  sendCount: number;
  lastSentAt: number;
}

/** The project's own email templates, split once into text and `{{name}}` slots: a renderer without a library. */
function template(name: string): (vars: Record<string, string>, escape: (s: string) => string) => string {
  const source = readFileSync(join(import.meta.dirname, "..", "templates", name), "utf8");
  const parts = source.split(/\{\{\{?(\w+)\}?\}\}/);
  return (vars, escape) => parts.map((part, i) => (i % 2 === 0 ? part : escape(vars[part] ?? ""))).join("");
}
const subject = template("invitation.subject.mustache");
const text = template("invitation.text.mustache");
const html = template("invitation.html.mustache");
const plain = (s: string) => s;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function resend(owner: KeyOwner, invitationId: number, requestId: string): [number, unknown] {
  return sqlite
    .transaction((): [number, unknown] => {
      const invitation = statements.invitation.get(owner.tenantId, invitationId) as InvitationRow | undefined;
      if (!invitation) return [404, { error: "not found" }];
      if (invitation.status !== "pending") return [409, { error: "not pending" }];
      const invitee = invitation;
      if (invitee.email === null || invitee.kind !== "human" || invitee.verifiedAt !== null) {
        return [422, { error: "not invitable" }];
      }
      const now = Date.now();
      if (statements.recipientCapReached.get(owner.tenantId, invitee.email, now - DAY_MS) !== undefined) {
        return [429, { error: "recipient cap reached" }];
      }
      const token = randomBytes(32).toString("base64url");
      const tokenHash = createHash("sha256").update(token).digest("hex");
      statements.cancelSuperseded?.run(invitation.id);
      const rotated = statements.rotate.get(tokenHash, now + TTL_MS, now, now, invitation.id) as Rotated;
      const vars = {
        tenantName: owner.tenantName,
        inviterName: owner.userName,
        inviteeName: invitee.name,
        acceptUrl: `${PUBLIC_URL}/invitations/accept?token=${token}`,
        expiresAt: new Date(rotated.expiresAt).toISOString(),
      };
      const email = {
        tenantId: owner.tenantId,
        toAddress: invitee.email,
        subject: subject(vars, plain).trim(),
        text: text(vars, plain),
        html: html(vars, escapeHtml),
        now,
      };
      statements.enqueue.run(strict ? email : { ...email, invitationId: invitation.id, tokenHash });
      const details = JSON.stringify({ invitationId: invitation.id, sendCount: rotated.sendCount });
      statements.audit.run(owner.tenantId, owner.userId, String(invitationId), requestId, details, now);
      return [200, { invitation: { ...rotated, email: invitee.email }, sentTo: invitee.email }];
    })
    .immediate();
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  if (request.url === "/healthz") return reply(200, { status: "ok" });
  const id = /^\/resend\?id=([1-9][0-9]{0,15})$/.exec(request.url ?? "")?.[1];
  if (request.method !== "PUT" || id === undefined) return reply(404, { error: "no such route" });
  const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
  const keyHash = key === undefined ? null : createHash("sha256").update(key).digest("hex");
  const owner = keyHash === null ? undefined : (statements.keyOwner.get(keyHash) as KeyOwner | undefined);
  if (!owner) return reply(401, { error: "unauthenticated" });
  if (owner.role !== "admin") return reply(403, { error: "forbidden" });
  const [status, body] = resend(owner, Number(id), randomUUID());
  reply(status, body);
}

// Requests have no body; drain it anyway so keep-alive connections stay usable.
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => handle(request, response));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), "127.0.0.1");
// Exits explicitly, so that a CPU profile (--cpu-prof) is written even with connections or threads still open.
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => {
    sqlite.close();
    process.exit(0);
  });
});
