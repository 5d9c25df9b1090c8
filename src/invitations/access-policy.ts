import { errors, type PermissionDenied } from "./errors.js";
import type { User } from "./model.js";

/** Who may call what. An operation missing from this table does not compile, so nothing is open by accident. */
const POLICY = {
  resendInvitation: "admin",
  invitation: "admin",
  viewer: "any",
} as const satisfies Record<string, "admin" | "any">;

export type Operation = keyof typeof POLICY;

/** Null when allowed; otherwise the refusal, with notices saying why. */
export function authorize(user: User, operation: Operation): PermissionDenied | null {
  const required = POLICY[operation];
  if (required === "any" || user.role === required) return null;
  return errors.permissionDenied([
    `Operation '${operation}' requires the '${required}' role; the credential's user has the '${user.role}' role.`,
  ]);
}
