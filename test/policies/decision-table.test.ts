import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { defaultDenyNotice } from "../../src/policies/cedar-authorizer.js";
import {
  ACME,
  COOLDOWN_SECONDS,
  createHarness,
  GLOBEX,
  KEYS,
  rows,
  type Harness,
} from "../support/harness.js";
import {
  addServiceAccountAdmin,
  DEFAULT_POLICIES,
  defaultWith,
  latestAuditDetails,
  readmeExample,
  SERVICE_ACCOUNT_KEY,
  writePolicyFile,
} from "../support/policies.js";
import { startTestServer, type TestServer } from "../support/server.js";

// One table of (policy set, caller, operation, target) → decision and notices, run through the service, the
// GraphQL mutations and every REST path that can express the row. The example sets are the README's own text.

const ONLY_ADMINS =
  "Only admins may manage or list invitations and read the audit trail; your role is not admin.";
const MEMBERS_FRESH =
  "Members may resend an invitation only while it has been sent once; ask an admin to send it again.";
const THREE_SENDS =
  "This invitation has been sent three times; revoke it and invite the person again if it is still needed.";
const NO_SERVICE_ACCOUNTS = "Service accounts may not send invitations.";

const SETS = {
  default: DEFAULT_POLICIES,
  membersResendFresh: defaultWith(readmeExample("members-resend-fresh-invitations")),
  atMostThreeSends: defaultWith(readmeExample("at-most-three-sends")),
  serviceAccountsNeverInvite: defaultWith(readmeExample("service-accounts-never-invite")),
  permitEverything: `@id("everything") permit (principal, action, resource);`,
  nothingPermitted: "// no policy: every operation is denied\n",
  twoNotices: defaultWith(
    readmeExample("at-most-three-sends"),
    `@id("no-second-chances-for-bob")
@notice("Bob is not to be reminded.")
forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.invitee == User::"${"0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002"}" && resource.sendCount >= 2 };`,
  ),
} as const;
type SetName = keyof typeof SETS;

const CALLER_KEYS = {
  admin: KEYS.acmeAdmin,
  member: KEYS.acmeMember,
  serviceAccount: SERVICE_ACCOUNT_KEY,
  globexAdmin: KEYS.globexAdmin,
} as const;
type Caller = keyof typeof CALLER_KEYS;

const BOB = { id: 2, uuid: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0002" };
const NINA = { id: 8, uuid: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0008" };
/** Bob's pending invitation: the one every resend of Bob acts on. */
const BOBS_INVITATION = 9001;
const GLOBEX_INVITATION = 9100;

type Target =
  | { readonly invitationId: number | string }
  | { readonly user: { readonly id: number; readonly uuid: string } }
  | { readonly email: string };

type Expected =
  | { readonly outcome: "allow" }
  | { readonly outcome: "deny"; readonly notices: readonly string[]; readonly policies: readonly string[] }
  | { readonly outcome: "InvitationNotFound" | "UserNotFound" | "InvalidInput" };

interface Row {
  readonly name: string;
  readonly set: SetName;
  readonly caller: Caller;
  readonly operation: "resendInvitation" | "inviteUser" | "revokeInvitation";
  readonly target: Target;
  /** Bob's invitation's send count when the row runs (default 1). */
  readonly sendCount?: number;
  readonly expect: Expected;
}

const allow: Expected = { outcome: "allow" };
const deny = (notices: string[], policies: string[]): Expected => ({ outcome: "deny", notices, policies });

const TABLE: Row[] = [
  // The shipped default: today's rules.
  {
    name: "admin resends",
    set: "default",
    caller: "admin",
    operation: "resendInvitation",
    target: { invitationId: BOBS_INVITATION },
    expect: allow,
  },
  {
    name: "admin resends by user",
    set: "default",
    caller: "admin",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: allow,
  },
  {
    name: "member resends",
    set: "default",
    caller: "member",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },
  {
    name: "member resends what does not exist",
    set: "default",
    caller: "member",
    operation: "resendInvitation",
    target: { invitationId: 424242 },
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },
  {
    name: "member sends a malformed id (permission before input)",
    set: "default",
    caller: "member",
    operation: "resendInvitation",
    target: { invitationId: "not-an-id" },
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },
  {
    name: "member invites",
    set: "default",
    caller: "member",
    operation: "inviteUser",
    target: { email: "new@acme.test" },
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },
  {
    name: "member revokes",
    set: "default",
    caller: "member",
    operation: "revokeInvitation",
    target: { invitationId: BOBS_INVITATION },
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },
  {
    name: "admin resends another tenant's invitation",
    set: "default",
    caller: "admin",
    operation: "resendInvitation",
    target: { invitationId: GLOBEX_INVITATION },
    expect: { outcome: "InvitationNotFound" },
  },

  // README example 1: members may resend invitations that were sent only once.
  {
    name: "member resends a fresh invitation",
    set: "membersResendFresh",
    caller: "member",
    operation: "resendInvitation",
    target: { invitationId: BOBS_INVITATION },
    expect: allow,
  },
  {
    name: "member resends a fresh invitation by user",
    set: "membersResendFresh",
    caller: "member",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: allow,
  },
  {
    name: "member resends an invitation sent twice",
    set: "membersResendFresh",
    caller: "member",
    operation: "resendInvitation",
    target: { user: BOB },
    sendCount: 2,
    expect: deny([MEMBERS_FRESH], ["members-resend-only-fresh-invitations"]),
  },
  {
    name: "member resends a user with no invitation",
    set: "membersResendFresh",
    caller: "member",
    operation: "resendInvitation",
    target: { user: NINA },
    expect: deny([MEMBERS_FRESH], ["members-resend-only-fresh-invitations"]),
  },
  {
    name: "member sends a malformed id (now read before the target)",
    set: "membersResendFresh",
    caller: "member",
    operation: "resendInvitation",
    target: { invitationId: "not-an-id" },
    expect: { outcome: "InvalidInput" },
  },
  {
    name: "member still may not revoke",
    set: "membersResendFresh",
    caller: "member",
    operation: "revokeInvitation",
    target: { invitationId: BOBS_INVITATION },
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },
  {
    name: "admin resends an invitation sent twice",
    set: "membersResendFresh",
    caller: "admin",
    operation: "resendInvitation",
    target: { user: BOB },
    sendCount: 2,
    expect: allow,
  },

  // README example 2: at most three sends, with a notice.
  {
    name: "admin resends an invitation sent twice",
    set: "atMostThreeSends",
    caller: "admin",
    operation: "resendInvitation",
    target: { user: BOB },
    sendCount: 2,
    expect: allow,
  },
  {
    name: "admin resends an invitation sent three times",
    set: "atMostThreeSends",
    caller: "admin",
    operation: "resendInvitation",
    target: { user: BOB },
    sendCount: 3,
    expect: deny([THREE_SENDS], ["at-most-three-sends"]),
  },
  {
    name: "admin resends it by invitation id",
    set: "atMostThreeSends",
    caller: "admin",
    operation: "resendInvitation",
    target: { invitationId: BOBS_INVITATION },
    sendCount: 7,
    expect: deny([THREE_SENDS], ["at-most-three-sends"]),
  },
  {
    name: "member is refused before the target",
    set: "atMostThreeSends",
    caller: "member",
    operation: "resendInvitation",
    target: { user: BOB },
    sendCount: 3,
    expect: deny([ONLY_ADMINS], ["only-admins-manage-invitations"]),
  },

  // README example 3: service accounts never invite.
  {
    name: "service account invites",
    set: "serviceAccountsNeverInvite",
    caller: "serviceAccount",
    operation: "inviteUser",
    target: { email: "bot-made@acme.test" },
    expect: deny([NO_SERVICE_ACCOUNTS], ["service-accounts-never-invite"]),
  },
  {
    name: "service account resends",
    set: "serviceAccountsNeverInvite",
    caller: "serviceAccount",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: deny([NO_SERVICE_ACCOUNTS], ["service-accounts-never-invite"]),
  },
  {
    name: "service account sends a malformed id",
    set: "serviceAccountsNeverInvite",
    caller: "serviceAccount",
    operation: "resendInvitation",
    target: { invitationId: "not-an-id" },
    expect: deny([NO_SERVICE_ACCOUNTS], ["service-accounts-never-invite"]),
  },
  {
    name: "service account may still revoke",
    set: "serviceAccountsNeverInvite",
    caller: "serviceAccount",
    operation: "revokeInvitation",
    target: { invitationId: 424242 },
    expect: { outcome: "InvitationNotFound" },
  },
  {
    name: "human admin invites",
    set: "serviceAccountsNeverInvite",
    caller: "admin",
    operation: "inviteUser",
    target: { email: "human-made@acme.test" },
    expect: allow,
  },
  {
    name: "service account with the default policies",
    set: "default",
    caller: "serviceAccount",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: allow,
  },

  // Tenant scoping holds whatever the policies permit.
  {
    name: "member resends",
    set: "permitEverything",
    caller: "member",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: allow,
  },
  {
    name: "another tenant's admin resends Acme's invitation",
    set: "permitEverything",
    caller: "globexAdmin",
    operation: "resendInvitation",
    target: { invitationId: BOBS_INVITATION },
    expect: { outcome: "InvitationNotFound" },
  },
  {
    name: "another tenant's admin resends Acme's user",
    set: "permitEverything",
    caller: "globexAdmin",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: { outcome: "UserNotFound" },
  },
  {
    name: "another tenant's admin revokes Acme's invitation",
    set: "permitEverything",
    caller: "globexAdmin",
    operation: "revokeInvitation",
    target: { invitationId: BOBS_INVITATION },
    expect: { outcome: "InvitationNotFound" },
  },

  // A default deny, and a denial decided by several forbids.
  {
    name: "admin resends",
    set: "nothingPermitted",
    caller: "admin",
    operation: "resendInvitation",
    target: { user: BOB },
    expect: deny([defaultDenyNotice("resendInvitation")], []),
  },
  {
    name: "admin invites",
    set: "nothingPermitted",
    caller: "admin",
    operation: "inviteUser",
    target: { email: "nobody@acme.test" },
    expect: deny([defaultDenyNotice("inviteUser")], []),
  },
  {
    name: "admin resends an invitation sent three times",
    set: "twoNotices",
    caller: "admin",
    operation: "resendInvitation",
    target: { user: BOB },
    sendCount: 3,
    expect: deny(
      [THREE_SENDS, "Bob is not to be reminded."],
      ["at-most-three-sends", "no-second-chances-for-bob"],
    ),
  },
  {
    name: "admin resends an invitation sent twice",
    set: "twoNotices",
    caller: "admin",
    operation: "resendInvitation",
    target: { invitationId: BOBS_INVITATION },
    sendCount: 2,
    expect: deny(["Bob is not to be reminded."], ["no-second-chances-for-bob"]),
  },
];

/** What a channel saw, in the service's terms. REST documents do not tell which kind of thing was not found. */
interface Observed {
  readonly outcome: string;
  readonly notices?: readonly string[];
}

type ChannelName = "service" | "graphql" | "r000" | "r001" | "r002" | "r003";
const CHANNELS: readonly ChannelName[] = ["service", "graphql", "r000", "r001", "r002", "r003"];

function canExpress(channel: ChannelName, row: Row): boolean {
  if (channel === "service" || channel === "graphql") return true;
  if (row.operation !== "resendInvitation") return false;
  if (channel === "r002") return "invitationId" in row.target;
  return "user" in row.target;
}

/** The email of an invite row, distinct per channel so each channel creates its own user. */
const emailFor = (target: { email: string }, channel: ChannelName) =>
  target.email.replace("@", `+${channel}@`);

const SUCCESS_KINDS = new Set(["ResendInvitationSuccess", "InviteUserSuccess", "RevokeInvitationSuccess"]);
const PERMISSION_DENIED_MESSAGE = "You do not have permission to perform this operation.";

async function viaService(harness: Harness, row: Row): Promise<Observed> {
  const call = harness.call(CALLER_KEYS[row.caller]);
  const { service } = harness.container;
  const { target } = row;
  const result =
    row.operation === "inviteUser"
      ? await service.inviteUser(call, { email: emailFor(target as { email: string }, "service") })
      : row.operation === "revokeInvitation"
        ? await service.revokeInvitation(call, {
            invitationId: String((target as { invitationId: number }).invitationId),
          })
        : await service.resendInvitation(
            call,
            "user" in target
              ? { userId: String(target.user.id) }
              : { invitationId: String((target as { invitationId: number }).invitationId) },
          );
  return {
    outcome: SUCCESS_KINDS.has(result.kind)
      ? "allow"
      : result.kind === "PermissionDenied"
        ? "deny"
        : result.kind,
    ...(result.kind === "PermissionDenied" && { notices: result.notices }),
  };
}

const MUTATIONS = {
  resendInvitation: `mutation($input: ResendInvitationInput!) { result: resendInvitation(input: $input) { __typename ... on PermissionDenied { notices } } }`,
  inviteUser: `mutation($input: InviteUserInput!) { result: inviteUser(input: $input) { __typename ... on PermissionDenied { notices } } }`,
  revokeInvitation: `mutation($input: RevokeInvitationInput!) { result: revokeInvitation(input: $input) { __typename ... on PermissionDenied { notices } } }`,
};

const REST_CODES: Record<string, string> = {
  forbidden: "deny",
  Forbidden: "deny",
  not_found: "NotFound",
  NotFound: "NotFound",
  invalid_request: "InvalidInput",
  ValidationError: "InvalidInput",
};

async function viaHttp(
  server: TestServer,
  channel: Exclude<ChannelName, "service">,
  row: Row,
): Promise<Observed> {
  const key = CALLER_KEYS[row.caller];
  const { target } = row;
  if (channel === "graphql") {
    const input =
      row.operation === "inviteUser"
        ? { email: emailFor(target as { email: string }, channel) }
        : "user" in target
          ? { userId: target.user.uuid }
          : { invitationId: String((target as { invitationId: number }).invitationId) };
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: MUTATIONS[row.operation], variables: { input } }),
    });
    const body = (await response.json()) as { data: { result: { __typename: string; notices?: string[] } } };
    const { __typename, notices } = body.data.result;
    return {
      outcome: SUCCESS_KINDS.has(__typename)
        ? "allow"
        : __typename === "PermissionDenied"
          ? "deny"
          : __typename,
      ...(notices && { notices }),
    };
  }
  const user = "user" in target ? target.user : null;
  // Each caller names its own tenant where a document asks for one: a target elsewhere is then not found.
  const tenant = row.caller === "globexAdmin" ? GLOBEX : ACME;
  const request: { method: string; path: string; headers: Record<string, string> } =
    channel === "r000"
      ? { method: "POST", path: `/api/v1/users/${user!.id}/resend_invitation`, headers: {} }
      : channel === "r001"
        ? {
            method: "POST",
            path: `/v1/users/${user!.uuid}/resend-invite`,
            headers: { "x-tenant-id": tenant.uuid },
          }
        : channel === "r003"
          ? {
              method: "POST",
              path: `/public/v1/accounts/account-users/${user!.uuid}/send-new-invite`,
              headers: {},
            }
          : {
              method: "PUT",
              path: `/tenant/${tenant.id}/admin/user/invitation/resend?id=${encodeURIComponent(String((target as { invitationId: number }).invitationId))}`,
              headers: {},
            };
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    headers: { "x-api-key": key, ...request.headers },
  });
  const body = (await response.json()) as { error?: unknown; code?: string; notices?: string[] };
  if (response.status === 200) {
    // 003 hands the new link to admins only, whoever else the policies let resend.
    if (channel === "r003") {
      const { invitation } = body as { invitation?: { url: string | null } };
      expect(invitation?.url === null).toBe(row.caller === "member");
    }
    return { outcome: "allow" };
  }
  switch (channel) {
    case "r000": {
      const { code, message } = body.error as { code: string; message: string };
      // 000's error body has no notices field: they follow the message.
      const notices =
        code === "forbidden" ? [(message as string).slice(PERMISSION_DENIED_MESSAGE.length + 1)] : undefined;
      if (code === "forbidden") expect(message.startsWith(`${PERMISSION_DENIED_MESSAGE} `)).toBe(true);
      return { outcome: REST_CODES[code] ?? code, ...(notices && { notices }) };
    }
    case "r001":
    case "r003": {
      const { code, notices } = body as { code: string; notices?: string[] };
      return { outcome: REST_CODES[code] ?? code, ...(notices && { notices }) };
    }
    case "r002": {
      const { code, info } = body.error as { code: string; info: string[] };
      return { outcome: REST_CODES[code] ?? code, ...(code === "Forbidden" && { notices: info }) };
    }
  }
}

/** What the row expects, as this channel can tell it. */
function expected(channel: ChannelName, row: Row): Observed {
  const { expect: e } = row;
  if (e.outcome === "allow") return { outcome: "allow" };
  if (e.outcome === "deny") {
    // 000 appends the notices to its message, joined by spaces.
    return { outcome: "deny", notices: channel === "r000" ? [e.notices.join(" ")] : e.notices };
  }
  const rest = channel !== "service" && channel !== "graphql";
  return { outcome: rest && e.outcome !== "InvalidInput" ? "NotFound" : e.outcome };
}

/** Puts Bob's invitation back in the row's state: pending, with the row's send count. */
async function prepare(database: Database, row: Row): Promise<void> {
  await rows(
    database,
    "UPDATE invitations SET status = 'pending', revoked_at = NULL, send_count = ? WHERE id = ?",
    row.sendCount ?? 1,
    BOBS_INVITATION,
  );
}

/** The state a refused call must not have changed. */
async function snapshot(database: Database) {
  const [invitation] = await rows(
    database,
    'SELECT status, send_count AS "sendCount", last_sent_at AS "lastSentAt", token_hash AS "tokenHash" FROM invitations WHERE id = ?',
    BOBS_INVITATION,
  );
  const [outbox] = await rows<{ n: number }>(database, "SELECT count(*) AS n FROM email_outbox");
  const [users] = await rows<{ n: number }>(database, "SELECT count(*) AS n FROM users");
  return { invitation, emails: Number(outbox!.n), users: Number(users!.n) };
}

describe.each(Object.keys(SETS) as SetName[])("policy set %s", (set) => {
  const table = TABLE.filter((row) => row.set === set);
  const cases = CHANNELS.flatMap((channel) =>
    table.filter((row) => canExpress(channel, row)).map((row) => ({ ...row, channel })),
  );
  let harness: Harness;
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-decisions-"));
    const policyFile = writePolicyFile(dir, `${set}.cedar`, SETS[set]);
    [harness, server] = await Promise.all([
      createHarness({ policies: SETS[set] }),
      startTestServer({ env: { POLICY_FILE: policyFile, MAX_EMAILS_PER_RECIPIENT_PER_DAY: "1000" } }),
    ]);
    await addServiceAccountAdmin(harness.db.database);
    await addServiceAccountAdmin(server.server.database);
  });
  afterAll(async () => {
    await Promise.all([harness?.dispose(), server?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  // Every row starts clear of the previous one's cooldown.
  beforeEach(() => {
    harness.advance(COOLDOWN_SECONDS * 1000);
    server.advance(COOLDOWN_SECONDS * 1000);
  });

  it.each(cases)("$caller $operation: $name, via $channel", async (row) => {
    const database = row.channel === "service" ? harness.db.database : server.server.database;
    await prepare(database, row);
    const before = await snapshot(database);

    const observed =
      row.channel === "service" ? await viaService(harness, row) : await viaHttp(server, row.channel, row);
    expect(observed).toEqual(expected(row.channel, row));

    if (row.expect.outcome === "deny") {
      // Decided before any write: nothing changed but the audit record, which names the deciding policies.
      expect(await snapshot(database)).toEqual(before);
      expect(await latestAuditDetails(database)).toEqual({
        outcome: "PERMISSION_DENIED",
        details: { policies: row.expect.policies },
      });
    }
  });
});
