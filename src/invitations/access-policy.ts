import { errors, type PermissionDenied } from "./errors.js";
import type { User } from "./model.js";

/**
 * Who may call what, by operation (the GraphQL root field name). `public` needs no credential (the
 * invitation token is one), `authenticated` any valid key, `admin` an admin's key. The GraphQL layer refuses
 * any root field missing here, so an operation added later is denied until it declares its rule.
 */
export const ACCESS_POLICY = {
  resendInvitation: "admin",
  inviteUser: "admin",
  revokeInvitation: "admin",
  invitation: "admin",
  invitations: "admin",
  auditEvents: "admin",
  viewer: "authenticated",
  acceptInvitation: "public",
} as const satisfies Record<string, "admin" | "authenticated" | "public">;

export type Operation = keyof typeof ACCESS_POLICY;

export function isDeclaredOperation(name: string): name is Operation {
  return Object.hasOwn(ACCESS_POLICY, name);
}

/** Null when allowed; otherwise the refusal, with notices saying why. */
export function authorize(user: User, operation: Operation): PermissionDenied | null {
  const required = ACCESS_POLICY[operation];
  if (required !== "admin" || user.role === "admin") return null;
  return errors.permissionDenied([
    `Operation '${operation}' requires the 'admin' role; the credential's user has the '${user.role}' role.`,
  ]);
}
