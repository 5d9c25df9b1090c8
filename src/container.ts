import { randomUUID } from "node:crypto";
import { Authenticator } from "./auth/authenticator.js";
import { generateInvitationToken } from "./auth/secrets.js";
import type { Database } from "./db/database.js";
import { Store } from "./db/store.js";
import { InvitationService, type InvitationSettings } from "./invitations/invitation.service.js";
import { loadInvitationEmailRenderer } from "./mail/invitation-email.js";

export interface ContainerOptions {
  readonly database: Database;
  readonly settings: InvitationSettings;
  readonly now?: () => number;
  readonly generateToken?: () => string;
}

/** The wired core: one place that decides which implementation each part gets. Tests swap the clock and tokens. */
export interface Container {
  readonly store: Store;
  readonly service: InvitationService;
  readonly now: () => number;
}

export function createContainer(options: ContainerOptions): Container {
  const now = options.now ?? Date.now;
  const store = new Store(options.database);
  const service = new InvitationService({
    store,
    authenticator: new Authenticator(store, now),
    renderEmail: loadInvitationEmailRenderer(),
    settings: options.settings,
    now,
    generateToken: options.generateToken ?? generateInvitationToken,
    generateUuid: randomUUID,
  });
  return { store, service, now };
}
