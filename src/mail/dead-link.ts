import type { DueEmail } from "../db/repositories/outbox.repository.js";

/**
 * Why an invitation email must not go out any more, or null when its link still works. Checked when the
 * email is claimed, because the invitation may have been resent, revoked or accepted since it was queued.
 */
export function deadLinkReason(email: DueEmail, now: number): string | null {
  if (email.tokenHash === null) return null;
  const { invitation } = email;
  if (invitation === null) return "the invitation no longer exists";
  switch (invitation.status) {
    case "accepted":
      return "the invitation was accepted";
    case "revoked":
      return "the invitation was revoked";
    case "pending":
      if (invitation.tokenHash !== email.tokenHash)
        return "superseded: the invitation was sent again with a new link";
      if (invitation.expiresAt <= now) return "the invitation expired";
      return null;
    default: {
      const _exhaustive: never = invitation.status;
      throw new Error(`unknown invitation status ${String(_exhaustive)}`);
    }
  }
}
