import { registerEnumType } from "type-graphql";
import { ErrorCode } from "../../invitations/errors.js";

export { ErrorCode };

registerEnumType(ErrorCode, {
  name: "ErrorCode",
  description:
    "Stable machine-readable code of a UserError, and of a refusal in the top-level `errors` array " +
    "(`extensions.code`). Values are never renamed; new ones may be added.",
  valuesConfig: {
    UNAUTHENTICATED: { description: "No valid API key: missing, unknown, malformed or revoked. (401)" },
    PERMISSION_DENIED: { description: "The policies refuse this caller this operation. (403)" },
    TENANT_MISMATCH: { description: "X-Tenant-ID names a tenant other than the key's. (403)" },
    INVITATION_NOT_FOUND: { description: "No invitation with that id in the caller's tenant. (404)" },
    USER_NOT_FOUND: { description: "No user with that id in the caller's tenant. (404)" },
    INVALID_INPUT: { description: "A value breaks the operation's rules; see `fieldErrors`. (400)" },
    USER_HAS_NO_EMAIL: { description: "The user has no address to send an invitation to. (422)" },
    SERVICE_ACCOUNT_NOT_INVITABLE: { description: "Service accounts never receive invitations. (422)" },
    USER_ALREADY_VERIFIED: { description: "The user already verified their address: nothing to send. (409)" },
    INVITATION_NOT_PENDING: {
      description: "The invitation was accepted or revoked; it cannot be sent again.",
    },
    RATE_LIMITED: {
      description: "A cooldown, an email cap or the request rate limit refused it; retry later. (429)",
    },
    INVALID_INVITATION_TOKEN: {
      description: "The link's token is unknown, replaced by a resend, revoked or already used.",
    },
    INVITATION_EXPIRED: { description: "The link's token is valid but past its expiry; ask for a resend." },
    INVITATION_ALREADY_PENDING: {
      description: "The address already has a pending invitation; resend that one instead.",
    },
    IDEMPOTENCY_KEY_REUSED: {
      description: "The idempotency key was first used with other input; use a new key. (422)",
    },
    IDEMPOTENCY_KEY_IN_USE: {
      description: "The first call with this idempotency key is still running; retry shortly. (409)",
    },
    WEBHOOK_ENDPOINT_NOT_FOUND: {
      description: "No webhook endpoint with that id in the caller's tenant. (404)",
    },
    WEBHOOK_DELIVERY_NOT_FOUND: {
      description: "No webhook delivery with that id in the caller's tenant. (404)",
    },
    WEBHOOK_URL_NOT_ALLOWED: {
      description:
        "The endpoint URL's host does not resolve, or resolves to a loopback, private or reserved address.",
    },
    WEBHOOK_SECRETS_UNAVAILABLE: {
      description:
        "The server has no WEBHOOK_SECRET_KEY, so it cannot create or rotate signing secrets. (503)",
    },
    WEBHOOK_ENDPOINT_LIMIT_REACHED: {
      description: "The tenant already has as many webhook endpoints as it may; delete one first. (422)",
    },
    WEBHOOK_ENDPOINT_DISABLED: {
      description: "The delivery's endpoint is disabled; re-enable it before redelivering. (409)",
    },
  },
});

export enum InvitationStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  REVOKED = "REVOKED",
  EXPIRED = "EXPIRED",
}
registerEnumType(InvitationStatus, {
  name: "InvitationStatus",
  description: "Where an invitation is in its life. EXPIRED is a pending invitation past its expiresAt.",
  valuesConfig: {
    PENDING: { description: "Sent and waiting: its link works until expiresAt." },
    ACCEPTED: { description: "The invitee accepted it; its link no longer works." },
    REVOKED: { description: "An admin revoked it; its link no longer works." },
    EXPIRED: {
      description: "Still pending, but past expiresAt: its link is refused until a resend renews it.",
    },
  },
});

export enum UserRole {
  ADMIN = "ADMIN",
  MEMBER = "MEMBER",
}
registerEnumType(UserRole, {
  name: "UserRole",
  description: "A user's role in their tenant, which the authorization policies read.",
  valuesConfig: {
    ADMIN: { description: "Manages the tenant's invitations and reads its audit trail (default policies)." },
    MEMBER: { description: "An ordinary user: under the default policies, may only ask who they are." },
  },
});

export enum UserKind {
  HUMAN = "HUMAN",
  SERVICE_ACCOUNT = "SERVICE_ACCOUNT",
}
registerEnumType(UserKind, {
  name: "UserKind",
  description: "Whether a user is a person or a machine identity.",
  valuesConfig: {
    HUMAN: { description: "A person, who can be invited." },
    SERVICE_ACCOUNT: { description: "A machine identity (such as an MCP server's): never invited." },
  },
});
