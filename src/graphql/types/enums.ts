import { registerEnumType } from "type-graphql";
import { ErrorCode } from "../../invitations/errors.js";

export { ErrorCode };

registerEnumType(ErrorCode, {
  name: "ErrorCode",
  description:
    "Stable machine-readable code of a UserError. Values are never renamed; new ones may be added.",
});

export enum InvitationStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
}
registerEnumType(InvitationStatus, {
  name: "InvitationStatus",
  description: "EXPIRED is a pending invitation past its expiresAt.",
});

export enum UserRole {
  ADMIN = "ADMIN",
  MEMBER = "MEMBER",
}
registerEnumType(UserRole, { name: "UserRole" });

export enum UserKind {
  HUMAN = "HUMAN",
  SERVICE_ACCOUNT = "SERVICE_ACCOUNT",
}
registerEnumType(UserKind, { name: "UserKind" });
