import type { Authenticator } from "../auth/authenticator.js";
import type { Credentials } from "../auth/credentials.js";
import type { Store } from "../db/store.js";
import type { InvitationEmailRenderer } from "../mail/invitation-email.js";
import type { Authorizer } from "./authorization.js";

export interface InvitationSettings {
  /** How long a sent link stays valid. */
  readonly invitationTtlMs: number;
  /** Minimum time between two sends of one invitation; 0 disables the cooldown. */
  readonly resendCooldownMs: number;
  /** Base of the accept link, without a trailing slash. */
  readonly publicUrl: string;
  /** Abuse caps on top of the cooldown: emails per tenant per hour, and per recipient (in a tenant) per day. */
  readonly emailCaps: { readonly perTenantPerHour: number; readonly perRecipientPerDay: number };
}

/** Everything an operation may use. Injected whole, so tests control the clock and the tokens. */
export interface InvitationServiceDeps {
  readonly store: Store;
  readonly authenticator: Authenticator;
  /** Decides every operation (the Cedar policies, in production). */
  readonly authorizer: Authorizer;
  readonly renderEmail: InvitationEmailRenderer;
  readonly settings: InvitationSettings;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** A fresh secret invitation token. */
  readonly generateToken: () => string;
  readonly generateUuid: () => string;
}

/** Where a call comes from: what it presented, and the request id for the audit trail. */
export interface CallContext {
  readonly credentials: Credentials;
  readonly requestId: string | null;
}
