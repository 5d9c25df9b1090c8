// The bare floor on PostgreSQL: the least code that does a resend's work, on node:http and `pg` alone, so the
// benchmark can say what the real server's layers cost there. Per request, in ONE transaction on a pooled
// connection (READ COMMITTED, as the server's): look up the hashed key with its user and tenant, lock the
// tenant's row (FOR NO KEY UPDATE) and the invitation (FOR UPDATE), as the server does so that concurrent sends
// of one tenant take turns, check the invitation's state and its invitee, probe the recipient's email cap,
// cancel the superseded queued email, rotate the token, extend the expiry, count the send, queue the rendered
// email and write the audit row: the SQLite floor's statements (bench/floor.ts), with the server's row locks.
// Every statement is a named prepared statement, as the server's are; the pool has the server's size.
//
// Usage: node --import tsx bench/floor-pg.ts DATABASE_URL PORT POOL_SIZE
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import pg from "pg";

const [databaseUrl, port, poolSize] = process.argv.slice(2);
if (!databaseUrl || !port || !poolSize || !/^[1-9][0-9]*$/.test(poolSize)) {
  throw new Error("usage: floor-pg.ts DATABASE_URL PORT POOL_SIZE");
}

const TTL_MS = 168 * 3_600_000;
const PUBLIC_URL = "http://127.0.0.1";
/** As the benchmark configures the server: caps kept on, out of reach. */
const RECIPIENT_CAP = 1_000_000_000;
const DAY_MS = 24 * 3_600_000;

/** bigint (epoch milliseconds, counts) as a JS number, as the server's pool reads it. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolSize), types });
pool.on("error", () => {});

/** A named statement: each connection parses and plans it once, then only binds values. */
const statement = (name: string, text: string) => (values: unknown[]) => ({ name, text, values });

const statements = {
  keyOwner: statement(
    "floor_key_owner",
    `SELECT k.id AS "keyId", u.id AS "userId", u.name AS "userName", u.role, t.id AS "tenantId",
            t.name AS "tenantName"
       FROM api_keys k JOIN users u ON u.id = k.user_id JOIN tenants t ON t.id = k.tenant_id
      WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.status = 'active'`,
  ),
  lockTenant: statement("floor_lock_tenant", "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE"),
  // The invitation and its invitee in one round trip, as the server reads them; only the invitation is locked.
  invitation: statement(
    "floor_invitation",
    `SELECT i.id, i.user_id AS "userId", i.status, u.name, u.email, u.kind, u.email_verified_at AS "verifiedAt"
       FROM invitations i LEFT JOIN users u ON u.id = i.user_id AND u.tenant_id = i.tenant_id
      WHERE i.tenant_id = $1 AND i.id = $2 FOR UPDATE OF i`,
  ),
  // The server's per-recipient cap: a row at offset cap - 1 exists exactly when the cap is reached.
  recipientCapReached: statement(
    "floor_recipient_cap",
    `SELECT 1 FROM email_outbox WHERE tenant_id = $1 AND to_address = $2 AND created_at > $3 LIMIT 1 OFFSET $4`,
  ),
  cancelSuperseded: statement(
    "floor_cancel_superseded",
    `UPDATE email_outbox SET status = 'cancelled', text_body = NULL, html_body = NULL
      WHERE invitation_id = $1 AND status = 'queued'`,
  ),
  rotate: statement(
    "floor_rotate",
    `UPDATE invitations SET token_hash = $1, expires_at = $2, send_count = send_count + 1,
            last_sent_at = $3, updated_at = $3 WHERE id = $4 AND status = 'pending'
     RETURNING id, uuid, status, expires_at AS "expiresAt", send_count AS "sendCount", last_sent_at AS "lastSentAt"`,
  ),
  enqueue: statement(
    "floor_enqueue",
    `INSERT INTO email_outbox (tenant_id, invitation_id, token_hash, to_address, subject, text_body, html_body,
                               status, attempts, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8)`,
  ),
  audit: statement(
    "floor_audit",
    `INSERT INTO audit_events (tenant_id, actor_user_id, action, target_type, target_id, outcome, request_id,
                               details, created_at)
     VALUES ($1, $2, 'invitation.resend', 'invitation', $3, 'SUCCESS', $4, $5, $6)`,
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

type Reply = [number, unknown];

/** The whole resend, key lookup included, in one transaction; refusals roll back. */
async function resend(keyHash: string, invitationId: number, requestId: string): Promise<Reply> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const reply = await resendIn(client, keyHash, invitationId, requestId);
    await client.query(reply[0] === 200 ? "COMMIT" : "ROLLBACK");
    return reply;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

async function resendIn(
  client: pg.PoolClient,
  keyHash: string,
  invitationId: number,
  requestId: string,
): Promise<Reply> {
  const one = async <T>(query: pg.QueryConfig): Promise<T | undefined> =>
    (await client.query(query)).rows[0] as T | undefined;

  const owner = await one<KeyOwner>(statements.keyOwner([keyHash]));
  if (!owner) return [401, { error: "unauthenticated" }];
  if (owner.role !== "admin") return [403, { error: "forbidden" }];
  await client.query(statements.lockTenant([owner.tenantId]));
  const invitation = await one<InvitationRow>(statements.invitation([owner.tenantId, invitationId]));
  if (!invitation) return [404, { error: "not found" }];
  if (invitation.status !== "pending") return [409, { error: "not pending" }];
  const invitee = invitation;
  if (invitee.email === null || invitee.kind !== "human" || invitee.verifiedAt !== null) {
    return [422, { error: "not invitable" }];
  }
  const now = Date.now();
  const capped = await one(
    statements.recipientCapReached([owner.tenantId, invitee.email, now - DAY_MS, RECIPIENT_CAP - 1]),
  );
  if (capped !== undefined) return [429, { error: "recipient cap reached" }];
  const token = randomBytes(32).toString("base64url");
  const tokenHash = createHash("sha256").update(token).digest("hex");
  await client.query(statements.cancelSuperseded([invitation.id]));
  const rotated = (await one<Rotated>(statements.rotate([tokenHash, now + TTL_MS, now, invitation.id])))!;
  const vars = {
    tenantName: owner.tenantName,
    inviterName: owner.userName,
    inviteeName: invitee.name,
    acceptUrl: `${PUBLIC_URL}/invitations/accept?token=${token}`,
    expiresAt: new Date(rotated.expiresAt).toISOString(),
  };
  await client.query(
    statements.enqueue([
      owner.tenantId,
      invitation.id,
      tokenHash,
      invitee.email,
      subject(vars, plain).trim(),
      text(vars, plain),
      html(vars, escapeHtml),
      now,
    ]),
  );
  const details = JSON.stringify({ invitationId: invitation.id, sendCount: rotated.sendCount });
  await client.query(
    statements.audit([owner.tenantId, owner.userId, String(invitationId), requestId, details, now]),
  );
  return [200, { invitation: { ...rotated, email: invitee.email }, sentTo: invitee.email }];
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  if (request.url === "/healthz") return reply(200, { status: "ok" });
  const id = /^\/resend\?id=([1-9][0-9]{0,9})$/.exec(request.url ?? "")?.[1];
  if (request.method !== "PUT" || id === undefined) return reply(404, { error: "no such route" });
  const key = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
  if (key === undefined) return reply(401, { error: "unauthenticated" });
  const keyHash = createHash("sha256").update(key).digest("hex");
  resend(keyHash, Number(id), randomUUID()).then(
    ([status, body]) => reply(status, body),
    (error: Error) => reply(500, { error: error.message }),
  );
}

// Requests have no body; drain it anyway so keep-alive connections stay usable.
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => handle(request, response));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), "127.0.0.1");
// Exits explicitly, so that a CPU profile (--cpu-prof) is written even with connections still open.
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => {
    void pool.end().finally(() => process.exit(0));
  });
});
