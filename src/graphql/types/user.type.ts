import { DateTimeISO } from "./date-time.scalar.js";
import { Field, ID, ObjectType } from "type-graphql";
import type { User as UserRecord } from "../../invitations/model.js";
import { UserKind, UserRole } from "./enums.js";

@ObjectType({ description: "A person or service account of one tenant." })
export class User {
  @Field(() => ID, { description: "The integer id; arguments taking a user id accept it or the uuid." })
  id!: string;

  @Field(() => String, { description: "The stable public id, accepted wherever an id is." })
  uuid!: string;

  @Field(() => String, { description: "The display name, as shown in invitation emails." })
  name!: string;

  @Field(() => String, { nullable: true, description: "The current address; null when the user has none." })
  email!: string | null;

  @Field(() => UserRole, { description: "The role the authorization policies read." })
  role!: UserRole;

  @Field(() => UserKind, { description: "Person or service account: service accounts are never invited." })
  kind!: UserKind;

  @Field(() => Boolean, {
    description: "Whether the user proved the address, by accepting an invitation or otherwise.",
  })
  emailVerified!: boolean;

  @Field(() => DateTimeISO, { description: "When the user was created." })
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
