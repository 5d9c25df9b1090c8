import { and, desc, eq, sql } from "drizzle-orm";
import type { EntityRef } from "../../invitations/model.js";
import type { Db } from "../connection.js";
import { param } from "../placeholders.js";
import { invitations, type InvitationRow } from "../schema.js";

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
      .limit(1)
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
  }

  /** The invitation, only if it belongs to the tenant. */
  findInTenant(tenantId: number, ref: EntityRef): InvitationRow | undefined {
    return "id" in ref ? this.byId.get({ tenantId, id: ref.id }) : this.byUuid.get({ tenantId, uuid: ref.uuid });
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
