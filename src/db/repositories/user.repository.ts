import { and, eq, isNull, sql } from "drizzle-orm";
import { param } from "../placeholders.js";
import type { EntityRef } from "../../invitations/model.js";
import type { Db } from "../connection.js";
import { users, type UserRow } from "../schema.js";

export interface NewUser {
  readonly uuid: string;
  readonly tenantId: number;
  readonly name: string;
  /** Lower-cased. */
  readonly email: string;
  readonly role: "admin" | "member";
  readonly now: number;
}

export class UserRepository {
  private readonly byId;
  private readonly byUuid;
  private readonly verify;
  private readonly byEmail;
  private readonly insertOne;
  private readonly byIds;

  /** `changed` is told of every update of a user, which cached API key owners may hold. */
  constructor(
    db: Db,
    private readonly changed: () => void,
  ) {
    const tenantId = sql.placeholder("tenantId");
    this.byId = db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.id, sql.placeholder("id"))))
      .prepare();
    this.byUuid = db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.uuid, sql.placeholder("uuid"))))
      .prepare();
    this.verify = db
      .update(users)
      .set({ emailVerifiedAt: param("now"), updatedAt: param("now") })
      .where(and(eq(users.id, sql.placeholder("id")), isNull(users.emailVerifiedAt)))
      .prepare();
    this.byEmail = db
      .select()
      .from(users)
      .where(and(eq(users.tenantId, tenantId), eq(users.email, sql.placeholder("email"))))
      .prepare();
    // One statement for any number of ids: the id list travels as a JSON array.
    this.byIds = db
      .select()
      .from(users)
      .where(
        and(
          eq(users.tenantId, tenantId),
          sql`${users.id} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))`,
        ),
      )
      .prepare();
    this.insertOne = db
      .insert(users)
      .values({
        uuid: sql.placeholder("uuid"),
        tenantId: sql.placeholder("tenantId"),
        name: sql.placeholder("name"),
        email: sql.placeholder("email"),
        role: sql.placeholder("role"),
        kind: "human",
        createdAt: sql.placeholder("now"),
        updatedAt: sql.placeholder("now"),
      })
      .returning()
      .prepare();
  }

  /** The user with this (lower-cased) address in the tenant. */
  findByEmail(tenantId: number, email: string): UserRow | undefined {
    return this.byEmail.get({ tenantId, email });
  }

  /** Users of the tenant by id, for rendering lists without one query per row. */
  findManyInTenant(tenantId: number, ids: readonly number[]): UserRow[] {
    if (ids.length === 0) return [];
    return this.byIds.all({ tenantId, ids: JSON.stringify([...new Set(ids)]) });
  }

  insert(user: NewUser): UserRow {
    const row = this.insertOne.get({ ...user });
    if (!row) throw new Error("user insert returned no row");
    return row;
  }

  /** Accepting an invitation proves the address: the user counts as verified from then on. */
  markEmailVerified(id: number, now: number): void {
    if (this.verify.run({ id, now }).changes > 0) this.changed();
  }

  /** The user, only if it belongs to the tenant. */
  findInTenant(tenantId: number, ref: EntityRef): UserRow | undefined {
    return "id" in ref
      ? this.byId.get({ tenantId, id: ref.id })
      : this.byUuid.get({ tenantId, uuid: ref.uuid });
  }
}
