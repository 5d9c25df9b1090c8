import { hashSecret } from "../auth/secrets.js";
import { Repositories } from "../db/store.js";
import {
  invitationResource,
  isDeclaredOperation,
  OPERATIONS,
  userFacts,
  type AuthorizationResource,
  type Operation,
} from "../invitations/authorization.js";
import { parseEntityRef } from "../invitations/entity-ref.js";
import { principalOf } from "../invitations/gatekeeper.js";
import { effectiveStatus, type EntityRef, type Tenant } from "../invitations/model.js";
import { CedarAuthorizer } from "../policies/cedar-authorizer.js";
import { resourceUid, userUid } from "../policies/entities.js";
import {
  compilePolicySet,
  defaultPolicySet,
  formatProblem,
  loadPolicyFile,
  PolicySetError,
  readPolicyFile,
  type PolicySet,
} from "../policies/policy-set.js";
import {
  databaseLocationFromEnv,
  HelpRequested,
  parseFlags,
  ReportedFailure,
  requiredFlag,
  UsageError,
  withDatabase,
} from "./command-line.js";

export const POLICY_USAGE = `  policy check --file PATH                      validate a Cedar policy file against the schema; each problem
                                                with its line on stderr
  policy explain --key KEY --operation OP [--invitation ID | --user ID] [--file PATH]
                                                what the policies decide for that call, by which policies and with
                                                which notices; changes nothing (policies: --file, else POLICY_FILE,
                                                else the shipped default)`;

const SUBCOMMANDS = "check or explain";
/** Problems beyond this many would bury the first ones, which usually explain the rest. */
const MAX_REPORTED_PROBLEMS = 100;

/** `policy SUBCOMMAND ...`: the operator's tools for authorization policies. */
export function policy(args: string[]): Promise<unknown> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case "check":
      return Promise.resolve(check(rest));
    case "explain":
      return explain(rest);
    case "--help":
    case "-h":
      throw new HelpRequested();
    case undefined:
      throw new UsageError(`policy: a subcommand is required (${SUBCOMMANDS})`);
    default:
      throw new UsageError(`policy: unknown subcommand "${subcommand}" (${SUBCOMMANDS})`);
  }
}

function check(args: string[]) {
  const file = requiredFlag("policy check", parseFlags("policy check", args, ["file"]), "file");
  const policySet = orReport(() => compilePolicySet(readPolicyFile(file), file));
  return {
    ok: true,
    file,
    policies: policySet.policies.map(({ id, effect, line, notice }) => ({
      id,
      effect,
      line,
      ...(notice !== null && { notice }),
    })),
  };
}

/** Runs `load`; a PolicySetError is printed one problem a line, and the command fails. */
function orReport(load: () => PolicySet): PolicySet {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof PolicySetError)) throw error;
    const { origin, problems } = error;
    if (problems.length === 1 && problems[0]!.line === null)
      throw new Error(formatProblem(origin, problems[0]!));
    for (const problem of problems.slice(0, MAX_REPORTED_PROBLEMS))
      console.error(formatProblem(origin, problem));
    if (problems.length > MAX_REPORTED_PROBLEMS) {
      console.error(`... and ${problems.length - MAX_REPORTED_PROBLEMS} more`);
    }
    console.error(`error: ${origin} is not a usable policy set (${problems.length} problem(s))`);
    throw new ReportedFailure();
  }
}

/** Which target flags each operation takes (the resource of its decision). */
const TARGETS: Record<Operation, { readonly invitation: boolean; readonly user: boolean }> = {
  resendInvitation: { invitation: true, user: true },
  revokeInvitation: { invitation: true, user: false },
  inviteUser: { invitation: false, user: true },
  acceptInvitation: { invitation: false, user: false },
  invitation: { invitation: false, user: false },
  invitations: { invitation: false, user: false },
  auditEvents: { invitation: false, user: false },
  viewer: { invitation: false, user: false },
  webhookEndpoints: { invitation: false, user: false },
  webhookDeliveries: { invitation: false, user: false },
  createWebhookEndpoint: { invitation: false, user: false },
  updateWebhookEndpoint: { invitation: false, user: false },
  deleteWebhookEndpoint: { invitation: false, user: false },
  rotateWebhookSecret: { invitation: false, user: false },
  redeliverWebhook: { invitation: false, user: false },
};

async function explain(args: string[]) {
  const command = "policy explain";
  const flags = parseFlags(command, args, ["key", "operation", "invitation", "user", "file"]);
  const key = requiredFlag(command, flags, "key");
  const operation = requiredFlag(command, flags, "operation");
  if (!isDeclaredOperation(operation)) {
    throw new UsageError(
      `${command}: --operation must be one of ${OPERATIONS.join(", ")} (got "${operation}")`,
    );
  }
  if (operation === "acceptInvitation") {
    throw new UsageError(
      `${command}: acceptInvitation is called with an invitation token, not a key; explain covers the operations called with a key`,
    );
  }
  const invitationRef = refFlag(command, flags, "invitation");
  const userRef = refFlag(command, flags, "user");
  if (invitationRef && userRef) throw new UsageError(`${command}: give --invitation or --user, not both`);
  for (const [flag, given] of [
    ["invitation", invitationRef],
    ["user", userRef],
  ] as const) {
    if (given && !TARGETS[operation][flag]) {
      throw new UsageError(`${command}: ${operation} does not take --${flag}`);
    }
  }
  const file = flags.get("file") ?? process.env.POLICY_FILE?.trim();
  const policySet = orReport(() => (file ? loadPolicyFile(file) : defaultPolicySet()));
  const authorizer = new CedarAuthorizer(policySet);

  return withDatabase(databaseLocationFromEnv(), async (database) => {
    // Plain reads on the database: no transaction, no key-use stamp, no audit record, no cache.
    const repositories = new Repositories(database, new Map());
    const owner = await repositories.apiKeys.findActiveByHash(hashSecret(key));
    if (!owner || owner.tenant.status !== "active") {
      throw new Error("--key: no active API key of an active tenant matches it");
    }
    const principal = principalOf({ ...owner, apiKeyId: owner.apiKey.id });
    const { tenant } = owner;
    const resource = await resourceOf(repositories, operation, tenant, owner.user, invitationRef, userRef);

    const early = authorizer.beforeTarget(principal, operation);
    const decision =
      early.decision === "undecided" && resource ? authorizer.decide(principal, operation, resource) : early;
    return {
      policyFile: policySet.origin,
      operation,
      principal: {
        entity: entity(userUid(principal)),
        id: owner.user.id,
        role: principal.role,
        kind: principal.kind,
        tenant: entity({ type: "Tenant", id: principal.tenant.uuid }),
      },
      resource: resource ? describeResource(resource) : null,
      decision: decision.decision === "undecided" ? "depends on the target" : decision.decision,
      decidedBeforeTarget: early.decision !== "undecided",
      determiningPolicies: decision.decision === "undecided" ? [] : decision.policyIds,
      notices: decision.decision === "deny" ? decision.notices : [],
    };
  });
}

/** The resource the service would decide on; none when the target was not named (the early decision). */
async function resourceOf(
  repositories: Repositories,
  operation: Operation,
  tenant: Tenant,
  caller: Parameters<typeof userFacts>[0],
  invitationRef: EntityRef | null,
  userRef: EntityRef | null,
): Promise<AuthorizationResource | null> {
  switch (operation) {
    case "invitation":
    case "invitations":
    case "auditEvents":
    case "webhookEndpoints":
    case "webhookDeliveries":
    case "createWebhookEndpoint":
    case "updateWebhookEndpoint":
    case "deleteWebhookEndpoint":
    case "rotateWebhookSecret":
    case "redeliverWebhook":
      return { type: "Tenant", tenant };
    case "viewer":
      return { type: "User", user: userFacts(caller, tenant) };
    case "acceptInvitation":
      return null;
    case "resendInvitation":
    case "revokeInvitation":
    case "inviteUser":
      break;
    default: {
      const _exhaustive: never = operation;
      throw new Error(`unknown operation ${String(_exhaustive)}`);
    }
  }
  const now = Date.now();
  if (invitationRef) {
    const invitation = await repositories.invitations.findInTenant(tenant.id, invitationRef);
    if (!invitation)
      throw new Error(`--invitation: no such invitation in the key's tenant (the service answers not found)`);
    const invitee = await repositories.users.findInTenant(tenant.id, { id: invitation.userId });
    if (!invitee) throw new Error(`invitation ${invitation.id} has no invitee`);
    return invitationResource(invitation, invitee, effectiveStatus(invitation, now), tenant);
  }
  if (userRef) {
    const user = await repositories.users.findInTenant(tenant.id, userRef);
    if (!user) throw new Error(`--user: no such user in the key's tenant (the service answers not found)`);
    // A resend by user id acts on the user's latest pending invitation, as the service does.
    const pending =
      operation === "resendInvitation"
        ? await repositories.invitations.findLatestPendingForUser(tenant.id, user.id)
        : undefined;
    return pending
      ? invitationResource(pending, user, effectiveStatus(pending, now), tenant)
      : { type: "User", user: userFacts(user, tenant) };
  }
  return null;
}

function refFlag(command: string, flags: Map<string, string>, flag: string): EntityRef | null {
  const raw = flags.get(flag);
  if (raw === undefined) return null;
  const ref = parseEntityRef(raw);
  if (!ref)
    throw new UsageError(`${command}: --${flag} must be a positive integer id or a UUID (got "${raw}")`);
  return ref;
}

function entity(uid: { type: string; id: string }): string {
  return `${uid.type}::${JSON.stringify(uid.id)}`;
}

function describeResource(resource: AuthorizationResource) {
  const uid = entity(resourceUid(resource));
  switch (resource.type) {
    case "Invitation":
      return {
        entity: uid,
        tenant: entity({ type: "Tenant", id: resource.tenant.uuid }),
        status: resource.status,
        sendCount: resource.invitation.sendCount,
        invitee: {
          entity: entity(userUid(resource.invitee)),
          role: resource.invitee.role,
          kind: resource.invitee.kind,
        },
      };
    case "User":
      return {
        entity: uid,
        role: resource.user.role,
        kind: resource.user.kind,
        tenant: entity({ type: "Tenant", id: resource.user.tenant.uuid }),
      };
    case "Tenant":
      return { entity: uid };
    default: {
      const _exhaustive: never = resource;
      throw new Error(`unknown resource ${JSON.stringify(_exhaustive)}`);
    }
  }
}
