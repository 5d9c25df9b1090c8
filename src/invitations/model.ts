import type { InvitationRow, TenantRow, UserRow } from "../db/schema/index.js";

/** Domain records. They have the rows' shape today; the alias is the seam a second backend would fill. */
export type Tenant = TenantRow;
export type User = UserRow;
export type Invitation = InvitationRow;

/** Reference to a tenant, user or invitation by integer id or by uuid (both are accepted wherever an id is). */
export type EntityRef = { readonly id: number } | { readonly uuid: string };

export type InvitationStatus = "PENDING" | "ACCEPTED" | "REVOKED" | "EXPIRED";

/** EXPIRED is never stored: it is a pending invitation seen after its `expiresAt`. */
export function effectiveStatus(
  invitation: Pick<Invitation, "status" | "expiresAt">,
  now: number,
): InvitationStatus {
  switch (invitation.status) {
    case "accepted":
      return "ACCEPTED";
    case "revoked":
      return "REVOKED";
    case "pending":
      return invitation.expiresAt <= now ? "EXPIRED" : "PENDING";
    default: {
      const _exhaustive: never = invitation.status;
      throw new Error(`unknown invitation status ${String(_exhaustive)}`);
    }
  }
}

/** An invitation with the people it involves, as every adapter renders it. */
export interface InvitationDetails {
  readonly invitation: Invitation;
  readonly invitee: User;
  readonly inviter: User | null;
  readonly tenant: Tenant;
}
