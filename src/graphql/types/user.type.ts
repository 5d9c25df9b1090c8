import { DateTimeISO } from "./date-time.scalar.js";
import { Field, ID, ObjectType } from "type-graphql";
import type { User as UserRecord } from "../../invitations/model.js";
import { UserKind, UserRole } from "./enums.js";

@ObjectType()
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  uuid!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => UserRole)
  role!: UserRole;

  @Field(() => UserKind)
  kind!: UserKind;

  @Field(() => Boolean)
  emailVerified!: boolean;

  @Field(() => DateTimeISO)
  createdAt!: Date;

  static from(record: UserRecord): User {
    return Object.assign(new User(), {
      id: String(record.id),
      uuid: record.uuid,
      name: record.name,
      email: record.email,
      role: record.role === "admin" ? UserRole.ADMIN : UserRole.MEMBER,
      kind: record.kind === "service_account" ? UserKind.SERVICE_ACCOUNT : UserKind.HUMAN,
      emailVerified: record.emailVerifiedAt !== null,
      createdAt: new Date(record.createdAt),
    });
  }
}
