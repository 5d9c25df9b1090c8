import { sql, type SQL } from "drizzle-orm";
import type { EntityRef } from "../../invitations/model.js";
import type { SqlSession } from "../database.js";
import { sqliteSchema as schema, type InvitationRow, type UserRow } from "../schema/index.js";
import { columnsOf, nester, p, statement, type DialectSql } from "../statement.js";

export interface NewInvitation {
  readonly uuid: string;
  readonly tenantId: number;
  readonly userId: number;
  readonly inviterId: number | null;
  readonly tokenHash: string;
  readonly expiresAt: number;
  readonly now: number;
}

export interface TokenRotation {
  readonly id: number;
  readonly tokenHash: string;
  readonly expiresAt: number;
  readonly now: number;
}

const COLUMNS = columnsOf(schema.invitations);

/**
 * A finder in two forms: plain for reads, and `FOR UPDATE` (PostgreSQL) for the transaction that goes on to
 * change the row it found, so a concurrent change waits for it instead of acting on what it read.
 */
function finder(name: string, where: SQL) {
  const query = sql`SELECT ${COLUMNS} FROM invitations WHERE ${where}`;
  return {
    read: statement<InvitationRow>(name, query),
    forUpdate: statement<InvitationRow>(`${name}_for_update`, (d: DialectSql) => sql`${query}${d.forUpdate}`),
  };
}

const byId = finder("invitation_by_id", sql`tenant_id = ${p("tenantId")} AND id = ${p("id")}`);
const byUuid = finder("invitation_by_uuid", sql`tenant_id = ${p("tenantId")} AND uuid = ${p("uuid")}`);

/** An invitation and its invitee, read in one round trip by the operations that change it. */
export interface InvitationWithInvitee {
  readonly invitation: InvitationRow;
  /** Null only if the data is broken: every invitation has an invitee in its tenant. */
  readonly invitee: UserRow | null;
}

// LEFT JOIN, so a broken invitee shows as null rather than as "no such invitation"; PostgreSQL locks only the
// invitation (as findInTenantForUpdate did), which it cannot do on a LEFT JOIN's nullable side anyway.
function withInviteeForUpdate(name: string, where: SQL) {
  const nest = nester();
  return statement<InvitationWithInvitee>(
    name,
    (d) => sql`SELECT ${columnsOf(schema.invitations, "invitation")}, ${columnsOf(schema.users, "invitee")}
      FROM invitations LEFT JOIN users ON users.id = invitations.user_id AND users.tenant_id = invitations.tenant_id
      WHERE ${where}${d.forUpdateOf("invitations")}`,
    {
      map: (row) => {
        const { invitation, invitee } = nest(row);
        return {
          invitation: invitation as unknown as InvitationRow,
          invitee: invitee!.id === null ? null : (invitee as unknown as UserRow),
        };
      },
    },
  );
}

const withInviteeById = withInviteeForUpdate(
  "invitation_with_invitee_by_id_for_update",
  sql`invitations.tenant_id = ${p("tenantId")} AND invitations.id = ${p("id")}`,
);
const withInviteeByUuid = withInviteeForUpdate(
  "invitation_with_invitee_by_uuid_for_update",
  sql`invitations.tenant_id = ${p("tenantId")} AND invitations.uuid = ${p("uuid")}`,
);
const byTokenHash = finder("invitation_by_token_hash", sql`token_hash = ${p("tokenHash")}`);
// No LIMIT parameter: SQLite runs a statement with a bound LIMIT as if prepared anew; the index yields the
// rows newest first and only the first is read.
const latestPendingOfUser = statement<InvitationRow>("invitation_latest_pending_of_user", (d) =>
  d.dialect === "sqlite"
    ? sql`SELECT ${COLUMNS} FROM invitations
          WHERE tenant_id = ${p("tenantId")} AND user_id = ${p("userId")} AND status = 'pending'
          ORDER BY created_at DESC, id DESC`
    : sql`SELECT ${COLUMNS} FROM invitations
          WHERE tenant_id = ${p("tenantId")} AND user_id = ${p("userId")} AND status = 'pending'
          ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`,
);
const rotate = statement<InvitationRow>(
  "invitation_rotate_token",
  // Only a pending invitation is sent again, so status is matched, not set: setting it, even to the same value,
  // rewrites the entries of both indexes that hold it.
  sql`UPDATE invitations SET token_hash = ${p("tokenHash")}, expires_at = ${p("expiresAt")},
        send_count = send_count + 1, last_sent_at = ${p("now")}, updated_at = ${p("now")}
      WHERE id = ${p("id")} AND status = 'pending' RETURNING ${COLUMNS}`,
);
const insertOne = statement<InvitationRow>(
  "invitation_insert",
  sql`INSERT INTO invitations (uuid, tenant_id, user_id, inviter_id, status, token_hash, send_count, last_sent_at,
        expires_at, created_at, updated_at)
      VALUES (${p("uuid")}, ${p("tenantId")}, ${p("userId")}, ${p("inviterId")}, 'pending', ${p("tokenHash")}, 1,
        ${p("now")}, ${p("expiresAt")}, ${p("now")}, ${p("now")})
      RETURNING ${COLUMNS}`,
);
// Accepting or revoking ends the invitation: its token is dropped so the link dies with it.
const close = statement<InvitationRow>(
  "invitation_close",
  sql`UPDATE invitations SET status = ${p("status")}, token_hash = NULL, accepted_at = ${p("acceptedAt")},
        revoked_at = ${p("revokedAt")}, updated_at = ${p("now")}
      WHERE id = ${p("id")} RETURNING ${COLUMNS}`,
);

/** Invitations, always found within one tenant, except by token (a token is a global credential). */
export class InvitationRepository {
  constructor(private readonly session: SqlSession) {}

  /** The invitation whose current token has this hash (tokens are global credentials, not tenant-scoped). */
  findByTokenHashForUpdate(tokenHash: string): Promise<InvitationRow | undefined> {
    return this.session.get(byTokenHash.forUpdate, { tokenHash });
  }

  markAccepted(id: number, now: number): Promise<InvitationRow> {
    return this.closeAs(id, "accepted", now);
  }

  markRevoked(id: number, now: number): Promise<InvitationRow> {
    return this.closeAs(id, "revoked", now);
  }

  private async closeAs(id: number, status: "accepted" | "revoked", now: number): Promise<InvitationRow> {
    const row = await this.session.get(close, {
      id,
      status,
      now,
      acceptedAt: status === "accepted" ? now : null,
      revokedAt: status === "revoked" ? now : null,
    });
    if (!row) throw new Error(`invitation ${id} vanished`);
    return row;
  }

  /** The invitation, only if it belongs to the tenant. */
  findInTenant(tenantId: number, ref: EntityRef): Promise<InvitationRow | undefined> {
    return "id" in ref
      ? this.session.get(byId.read, { tenantId, id: ref.id })
      : this.session.get(byUuid.read, { tenantId, uuid: ref.uuid });
  }

  /** As findInTenant, with its invitee, for the transaction that goes on to change it. */
  findWithInviteeForUpdate(tenantId: number, ref: EntityRef): Promise<InvitationWithInvitee | undefined> {
    return "id" in ref
      ? this.session.get(withInviteeById, { tenantId, id: ref.id })
      : this.session.get(withInviteeByUuid, { tenantId, uuid: ref.uuid });
  }

  /** The user's most recent invitation still stored as pending (possibly past its expiry). */
  findLatestPendingForUser(tenantId: number, userId: number): Promise<InvitationRow | undefined> {
    return this.session.get(latestPendingOfUser, { tenantId, userId });
  }

  /** Replaces the token, restarts the lifetime and counts one more send. */
  async rotateToken(rotation: TokenRotation): Promise<InvitationRow> {
    const row = await this.session.get(rotate, { ...rotation });
    if (!row) throw new Error(`invitation ${rotation.id} is not pending, or vanished, during rotation`);
    return row;
  }

  /** Creates an invitation that is being sent for the first time. */
  async insert(invitation: NewInvitation): Promise<InvitationRow> {
    const row = await this.session.get(insertOne, { ...invitation });
    if (!row) throw new Error("insert returned no row");
    return row;
  }
}
