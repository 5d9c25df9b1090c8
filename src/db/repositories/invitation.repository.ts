import { and, count, desc, eq, gt, lt, lte, sql, type SQL } from "drizzle-orm";
import type { EntityRef } from "../../invitations/model.js";
import type { Db } from "../connection.js";
import { param } from "../placeholders.js";
import { invitations, users, type InvitationRow } from "../schema.js";

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

export class InvitationRepository {
  private readonly byId;
  private readonly byUuid;
  private readonly latestPendingOfUser;
  private readonly rotate;
  private readonly insertOne;
  private readonly byTokenHash;
  private readonly close;

  constructor(db: Db) {
    const tenantId = sql.placeholder("tenantId");
    this.byId = db
      .select()
      .from(invitations)
      .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, sql.placeholder("id"))))
      .prepare();
    this.byUuid = db
      .select()
      .from(invitations)
      .where(and(eq(invitations.tenantId, tenantId), eq(invitations.uuid, sql.placeholder("uuid"))))
      .prepare();
    // No LIMIT: `.get()` reads one row and stops, while drizzle would bind LIMIT as a parameter, and SQLite
    // (3.53) then runs the statement ten times slower, as if prepared anew each time. The index yields the
    // rows newest first, so none are sorted.
    this.latestPendingOfUser = db
      .select()
      .from(invitations)
      .where(
        and(
          eq(invitations.tenantId, tenantId),
          eq(invitations.userId, sql.placeholder("userId")),
          eq(invitations.status, "pending"),
        ),
      )
      .orderBy(desc(invitations.createdAt), desc(invitations.id))
      .prepare();
    this.rotate = db
      .update(invitations)
      .set({
        tokenHash: param("tokenHash"),
        status: "pending",
        expiresAt: param("expiresAt"),
        sendCount: sql`${invitations.sendCount} + 1`,
        lastSentAt: param("now"),
        updatedAt: param("now"),
      })
      .where(eq(invitations.id, sql.placeholder("id")))
      .returning()
      .prepare();
    this.insertOne = db
      .insert(invitations)
      .values({
        uuid: sql.placeholder("uuid"),
        tenantId: sql.placeholder("tenantId"),
        userId: sql.placeholder("userId"),
        inviterId: sql.placeholder("inviterId"),
        status: "pending",
        tokenHash: sql.placeholder("tokenHash"),
        sendCount: 1,
        lastSentAt: sql.placeholder("now"),
        expiresAt: sql.placeholder("expiresAt"),
        createdAt: sql.placeholder("now"),
        updatedAt: sql.placeholder("now"),
      })
      .returning()
      .prepare();
    this.byTokenHash = db
      .select()
      .from(invitations)
      .where(eq(invitations.tokenHash, sql.placeholder("tokenHash")))
      .prepare();
    // Accepting or revoking ends the invitation: its token is dropped so the link dies with it.
    this.close = db
      .update(invitations)
      .set({
        status: param("status"),
        tokenHash: null,
        acceptedAt: param("acceptedAt"),
        revokedAt: param("revokedAt"),
        updatedAt: param("now"),
      })
      .where(eq(invitations.id, sql.placeholder("id")))
      .returning()
      .prepare();
  }

  /** The invitation whose current token has this hash (tokens are global credentials, not tenant-scoped). */
  findByTokenHash(tokenHash: string): InvitationRow | undefined {
    return this.byTokenHash.get({ tokenHash });
  }

  markAccepted(id: number, now: number): InvitationRow {
    return this.closeAs(id, "accepted", now);
  }

  markRevoked(id: number, now: number): InvitationRow {
    return this.closeAs(id, "revoked", now);
  }

  private closeAs(id: number, status: "accepted" | "revoked", now: number): InvitationRow {
    const row = this.close.get({
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
  findInTenant(tenantId: number, ref: EntityRef): InvitationRow | undefined {
    return "id" in ref
      ? this.byId.get({ tenantId, id: ref.id })
      : this.byUuid.get({ tenantId, uuid: ref.uuid });
  }

  /** The user's most recent invitation still stored as pending (possibly past its expiry). */
  findLatestPendingForUser(tenantId: number, userId: number): InvitationRow | undefined {
    return this.latestPendingOfUser.get({ tenantId, userId });
  }

  /** Replaces the token, restarts the lifetime and counts one more send. */
  rotateToken(rotation: TokenRotation): InvitationRow {
    const row = this.rotate.get({ ...rotation });
    if (!row) throw new Error(`invitation ${rotation.id} vanished during rotation`);
    return row;
  }

  /** Creates an invitation that is being sent for the first time. */
  insert(invitation: NewInvitation): InvitationRow {
    const row = this.insertOne.get({ ...invitation });
    if (!row) throw new Error("insert returned no row");
    return row;
  }
}

export interface InvitationFilter {
  readonly tenantId: number;
  /** Effective status; EXPIRED and PENDING are told apart by `expiresAt` against `now`. */
  readonly status: "PENDING" | "ACCEPTED" | "REVOKED" | "EXPIRED" | null;
  /** Invitee's address, lower-cased. */
  readonly email: string | null;
  readonly now: number;
}

/** Listing queries: filters vary per call, so these are built per call rather than prepared once. */
export class InvitationListQueries {
  constructor(private readonly db: Db) {}

  /** Newest first, ids below `beforeId` (the cursor), at most `limit` rows. */
  page(filter: InvitationFilter, beforeId: number | null, limit: number): InvitationRow[] {
    const conditions = this.conditions(filter);
    if (beforeId !== null) conditions.push(lt(invitations.id, beforeId));
    return this.db
      .select({ invitation: invitations })
      .from(invitations)
      .innerJoin(users, eq(users.id, invitations.userId))
      .where(and(...conditions))
      .orderBy(desc(invitations.id))
      .limit(limit)
      .all()
      .map((row) => row.invitation);
  }

  count(filter: InvitationFilter): number {
    const [row] = this.db
      .select({ n: count() })
      .from(invitations)
      .innerJoin(users, eq(users.id, invitations.userId))
      .where(and(...this.conditions(filter)))
      .all();
    return row?.n ?? 0;
  }

  private conditions({ tenantId, status, email, now }: InvitationFilter): SQL[] {
    const conditions: SQL[] = [eq(invitations.tenantId, tenantId)];
    if (email !== null) conditions.push(eq(users.email, email));
    switch (status) {
      case null:
        break;
      case "PENDING":
        conditions.push(eq(invitations.status, "pending"), gt(invitations.expiresAt, now));
        break;
      case "EXPIRED":
        conditions.push(eq(invitations.status, "pending"), lte(invitations.expiresAt, now));
        break;
      case "ACCEPTED":
        conditions.push(eq(invitations.status, "accepted"));
        break;
      case "REVOKED":
        conditions.push(eq(invitations.status, "revoked"));
        break;
      default: {
        const _exhaustive: never = status;
        throw new Error(`unknown status filter ${String(_exhaustive)}`);
      }
    }
    return conditions;
  }
}
