import { existsSync } from "node:fs";
import { displayPrefix, generateApiKey, hashSecret } from "../auth/secrets.js";
import { ApiKeyAdmin } from "../db/api-key-admin.js";
import type { TenantRow, UserRow } from "../db/schema/index.js";
import { parseEntityRef } from "../invitations/entity-ref.js";
import type { EntityRef } from "../invitations/model.js";
import {
  databaseLocationFromEnv,
  HelpRequested,
  parseFlags,
  requiredFlag,
  UsageError,
  withDatabase,
} from "./command-line.js";

export const APIKEY_USAGE = `  apikey create --user USER_ID_OR_UUID [--name NAME]
                                                issue an API key for a user; prints it once (only its hash is kept)
  apikey list --tenant TENANT_ID_OR_UUID        a tenant's keys: prefix, name, user, last use, revocation
  apikey revoke --id KEY_ID                     revoke a key; running servers refuse it from their next request`;

const SUBCOMMANDS = "create, list or revoke";
const MAX_NAME_LENGTH = 100;

/** `apikey SUBCOMMAND ...`: the operator's API key management. */
export function apikey(args: string[]): Promise<unknown> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case "create":
      return create(rest);
    case "list":
      return list(rest);
    case "revoke":
      return revoke(rest);
    case "--help":
    case "-h":
      throw new HelpRequested();
    case undefined:
      throw new UsageError(`apikey: a subcommand is required (${SUBCOMMANDS})`);
    default:
      throw new UsageError(`apikey: unknown subcommand "${subcommand}" (${SUBCOMMANDS})`);
  }
}

function create(args: string[]) {
  const command = "apikey create";
  const flags = parseFlags(command, args, ["user", "name"]);
  const userRef = entityRefFlag(command, flags, "user");
  const name = nameFlag(command, flags);
  return withAdmin(async (admin) => {
    const user = await admin.findUser(userRef);
    if (!user) throw new Error(`--user: no user with ${describeRef(userRef)}`);
    const tenant = await admin.findTenant({ id: user.tenantId });
    if (!tenant) throw new Error(`user ${user.id} has no tenant`);
    const apiKey = generateApiKey();
    const key = await admin.create({
      userId: user.id,
      tenantId: user.tenantId,
      keyHash: hashSecret(apiKey),
      prefix: displayPrefix(apiKey),
      name,
      now: Date.now(),
    });
    return {
      ok: true,
      // Shown this once: only its hash is stored.
      apiKey,
      id: key.id,
      prefix: key.prefix,
      name: key.name,
      user: userView(user),
      tenant: tenantView(tenant),
      createdAt: isoTime(key.createdAt),
    };
  });
}

function list(args: string[]) {
  const command = "apikey list";
  const tenantRef = entityRefFlag(command, parseFlags(command, args, ["tenant"]), "tenant");
  return withAdmin(async (admin) => {
    const tenant = await admin.findTenant(tenantRef);
    if (!tenant) throw new Error(`--tenant: no tenant with ${describeRef(tenantRef)}`);
    const apiKeys = (await admin.listForTenant(tenant.id)).map((key) => ({
      id: key.id,
      prefix: key.prefix,
      name: key.name,
      user: key.user,
      createdAt: isoTime(key.createdAt),
      lastUsedAt: isoTimeOrNull(key.lastUsedAt),
      revokedAt: isoTimeOrNull(key.revokedAt),
    }));
    return { ok: true, tenant: tenantView(tenant), apiKeys };
  });
}

function revoke(args: string[]) {
  const command = "apikey revoke";
  const raw = requiredFlag(command, parseFlags(command, args, ["id"]), "id");
  const ref = parseEntityRef(raw);
  if (ref === null || !("id" in ref)) {
    throw new UsageError(
      `${command}: --id must be an API key id, a positive integer (got ${JSON.stringify(raw)})`,
    );
  }
  return withAdmin(async (admin) => {
    const revoked = await admin.revoke(ref.id, Date.now());
    if (!revoked) throw new Error(`--id: no API key with id ${ref.id}`);
    const { key, alreadyRevoked } = revoked;
    return {
      ok: true,
      id: key.id,
      prefix: key.prefix,
      revokedAt: isoTimeOrNull(key.revokedAt),
      alreadyRevoked,
    };
  });
}

/** An existing database only: a mistyped DATABASE_URL must not quietly create an empty one. */
function withAdmin<T>(use: (admin: ApiKeyAdmin) => Promise<T>): Promise<T> {
  const location = databaseLocationFromEnv();
  if (location.dialect === "sqlite" && location.file !== ":memory:" && !existsSync(location.file)) {
    throw new Error(`DATABASE_URL: no database at ${location.file}`);
  }
  return withDatabase(location, (database) => use(new ApiKeyAdmin(database)));
}

function entityRefFlag(command: string, flags: Map<string, string>, flag: string): EntityRef {
  const raw = requiredFlag(command, flags, flag);
  const ref = parseEntityRef(raw);
  if (ref === null) {
    throw new UsageError(
      `${command}: --${flag} must be a ${flag} id (a positive integer) or uuid (got ${JSON.stringify(raw)})`,
    );
  }
  return ref;
}

function nameFlag(command: string, flags: Map<string, string>): string | null {
  const raw = flags.get("name");
  if (raw === undefined) return null;
  const name = raw.trim();
  if (name === "" || name.length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    throw new UsageError(
      `${command}: --name must be 1 to ${MAX_NAME_LENGTH} characters without control characters`,
    );
  }
  return name;
}

function describeRef(ref: EntityRef): string {
  return "id" in ref ? `id ${ref.id}` : `uuid ${ref.uuid}`;
}

function userView(user: UserRow) {
  return { id: user.id, uuid: user.uuid, email: user.email, name: user.name };
}

function tenantView(tenant: TenantRow) {
  return { id: tenant.id, uuid: tenant.uuid, name: tenant.name };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function isoTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}
