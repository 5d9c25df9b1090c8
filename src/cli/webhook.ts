import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { ApiKeyAdmin } from "../db/api-key-admin.js";
import { eventsColumn } from "../db/repositories/webhook-endpoint.repository.js";
import type { TenantRow } from "../db/schema/index.js";
import { Store, type Repositories } from "../db/store.js";
import { parseEntityRef } from "../invitations/entity-ref.js";
import type { FieldError } from "../invitations/errors.js";
import { checkHost } from "../webhooks/address-guard.js";
import { eventsField, overlapField, urlField } from "../webhooks/endpoint-input.js";
import { parseSecretKey, SecretBox } from "../webhooks/secret-box.js";
import { generateWebhookSecret } from "../webhooks/signature.js";
import { endpointView } from "../webhooks/webhook.service.js";
import {
  databaseLocationFromEnv,
  HelpRequested,
  parseFlags,
  requiredFlag,
  UsageError,
  withDatabase,
} from "./command-line.js";

export const WEBHOOK_USAGE = `  webhook create --tenant TENANT --url URL --events TYPE[,TYPE…]
                                                add an endpoint; prints its whsec_ secret once (needs WEBHOOK_SECRET_KEY)
  webhook list --tenant TENANT                  a tenant's endpoints: url, events, status
  webhook rotate --id ENDPOINT_ID [--overlap-hours H]
                                                new secret (printed once); the old one signs H more hours (default 24)
  webhook delete --id ENDPOINT_ID               delete an endpoint and its deliveries`;

const SUBCOMMANDS = "create, list, rotate or delete";

/** `webhook SUBCOMMAND ...`: an operator's management of tenants' webhook endpoints (no policy applies). */
export function webhook(args: string[]): Promise<unknown> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case "create":
      return create(rest);
    case "list":
      return list(rest);
    case "rotate":
      return rotate(rest);
    case "delete":
      return remove(rest);
    case "--help":
    case "-h":
      throw new HelpRequested();
    case undefined:
      throw new UsageError(`webhook: a subcommand is required (${SUBCOMMANDS})`);
    default:
      throw new UsageError(`webhook: unknown subcommand "${subcommand}" (${SUBCOMMANDS})`);
  }
}

async function create(args: string[]) {
  const command = "webhook create";
  const flags = parseFlags(command, args, ["tenant", "url", "events"]);
  const tenantRef = refFlag(command, requiredFlag(command, flags, "tenant"), "tenant");
  const fieldErrors: FieldError[] = [];
  const url = urlField(requiredFlag(command, flags, "url"), ["--url"], fieldErrors);
  const events = eventsField(requiredFlag(command, flags, "events").split(","), ["--events"], fieldErrors);
  if (fieldErrors.length > 0 || url === null) {
    throw new UsageError(`${command}: ${fieldErrors.map((e) => `${e.path[0]}: ${e.message}`).join("; ")}`);
  }
  const box = secretBoxFromEnv();
  const check = await checkHost(url.hostname, allowPrivateFromEnv());
  if (!check.ok) throw new Error(`--url: refused: ${check.reason}`);
  return withStore(async (store, admin) => {
    const tenant = await findTenant(admin, tenantRef);
    const now = Date.now();
    return store.transaction(async (tx) => {
      const uuid = randomUUID();
      const secret = generateWebhookSecret();
      const row = await tx.webhookEndpoints.insert({
        uuid,
        tenantId: tenant.id,
        url: url.toString(),
        events: eventsColumn.write(events),
        secretCiphertext: box.seal(secret, uuid),
        now,
      });
      await audit(tx, tenant.id, "webhook_endpoint.create", row.id, { url: row.url, events }, now);
      // Shown this once: only its sealed form is stored.
      return { ok: true, secret, endpoint: view(row), tenant: tenantView(tenant) };
    });
  });
}

function list(args: string[]) {
  const command = "webhook list";
  const tenantRef = refFlag(
    command,
    requiredFlag(command, parseFlags(command, args, ["tenant"]), "tenant"),
    "tenant",
  );
  return withStore(async (store, admin) => {
    const tenant = await findTenant(admin, tenantRef);
    const endpoints = await store.webhookEndpoints.listOfTenant(tenant.id);
    return { ok: true, tenant: tenantView(tenant), endpoints: endpoints.map(view) };
  });
}

function rotate(args: string[]) {
  const command = "webhook rotate";
  const flags = parseFlags(command, args, ["id", "overlap-hours"]);
  const id = idFlag(command, requiredFlag(command, flags, "id"));
  const rawOverlap = flags.get("overlap-hours");
  const fieldErrors: FieldError[] = [];
  const overlapHours = overlapField(
    rawOverlap === undefined ? null : /^\d+$/.test(rawOverlap) ? Number(rawOverlap) : NaN,
    ["--overlap-hours"],
    fieldErrors,
  );
  if (fieldErrors.length > 0) throw new UsageError(`${command}: --overlap-hours: ${fieldErrors[0]!.message}`);
  const box = secretBoxFromEnv();
  return withStore((store) =>
    store.transaction(async (tx) => {
      const current = await tx.webhookEndpoints.findById(id);
      if (!current) throw new Error(`--id: no webhook endpoint with id ${id}`);
      const now = Date.now();
      const secret = generateWebhookSecret();
      const row = await tx.webhookEndpoints.rotateSecret(
        id,
        {
          secretCiphertext: box.seal(secret, current.uuid),
          previousSecretCiphertext: overlapHours > 0 ? current.secretCiphertext : null,
          previousSecretExpiresAt: overlapHours > 0 ? now + overlapHours * 3_600_000 : null,
        },
        now,
      );
      await audit(tx, row.tenantId, "webhook_endpoint.rotate_secret", id, { overlapHours }, now);
      return { ok: true, secret, endpoint: view(row) };
    }),
  );
}

function remove(args: string[]) {
  const command = "webhook delete";
  const id = idFlag(command, requiredFlag(command, parseFlags(command, args, ["id"]), "id"));
  return withStore((store) =>
    store.transaction(async (tx) => {
      const current = await tx.webhookEndpoints.findById(id);
      if (!current) throw new Error(`--id: no webhook endpoint with id ${id}`);
      await tx.webhookEndpoints.delete(id);
      await audit(tx, current.tenantId, "webhook_endpoint.delete", id, { url: current.url }, Date.now());
      return { ok: true, id, url: current.url };
    }),
  );
}

/** The operator's changes are in the tenant's audit trail too, with no acting user. */
function audit(
  tx: Repositories,
  tenantId: number,
  action: string,
  endpointId: number,
  details: Record<string, unknown>,
  at: number,
) {
  return tx.audit.record({
    tenantId,
    actorUserId: null,
    action,
    targetType: "webhook_endpoint",
    targetId: String(endpointId),
    outcome: "SUCCESS",
    requestId: "cli",
    details,
    at,
  });
}

function secretBoxFromEnv(): SecretBox {
  const raw = process.env.WEBHOOK_SECRET_KEY?.trim();
  if (!raw) {
    throw new Error(
      "WEBHOOK_SECRET_KEY: not set; it must be the key the servers use (secrets are sealed with it)",
    );
  }
  const key = parseSecretKey(raw);
  if (key === null) throw new Error("WEBHOOK_SECRET_KEY: must be 32 random bytes as 64 hex digits or base64");
  return new SecretBox(key);
}

function allowPrivateFromEnv(): boolean {
  const raw = process.env.WEBHOOK_ALLOW_PRIVATE?.trim() ?? "";
  if (raw !== "" && raw !== "on" && raw !== "off")
    throw new Error("WEBHOOK_ALLOW_PRIVATE: must be on or off");
  return raw === "on";
}

function withStore<T>(use: (store: Store, admin: ApiKeyAdmin) => Promise<T>): Promise<T> {
  const location = databaseLocationFromEnv();
  if (location.dialect === "sqlite" && location.file !== ":memory:" && !existsSync(location.file)) {
    throw new Error(`DATABASE_URL: no database at ${location.file}`);
  }
  return withDatabase(location, (database) => use(new Store(database), new ApiKeyAdmin(database)));
}

async function findTenant(admin: ApiKeyAdmin, ref: ReturnType<typeof refFlag>): Promise<TenantRow> {
  const tenant = await admin.findTenant(ref);
  if (!tenant)
    throw new Error(`--tenant: no tenant with ${"id" in ref ? `id ${ref.id}` : `uuid ${ref.uuid}`}`);
  return tenant;
}

function refFlag(command: string, raw: string, flag: string) {
  const ref = parseEntityRef(raw);
  if (ref === null) {
    throw new UsageError(
      `${command}: --${flag} must be an id (a positive integer) or uuid (got ${JSON.stringify(raw)})`,
    );
  }
  return ref;
}

function idFlag(command: string, raw: string): number {
  const ref = parseEntityRef(raw);
  if (ref === null || !("id" in ref)) {
    throw new UsageError(
      `${command}: --id must be an endpoint id, a positive integer (got ${JSON.stringify(raw)})`,
    );
  }
  return ref.id;
}

function view(row: Parameters<typeof endpointView>[0]) {
  const endpoint = endpointView(row);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...endpoint,
    failingSince: iso(endpoint.failingSince),
    disabledAt: iso(endpoint.disabledAt),
    previousSecretExpiresAt: iso(endpoint.previousSecretExpiresAt),
    createdAt: iso(endpoint.createdAt),
    updatedAt: iso(endpoint.updatedAt),
  };
}

function tenantView(tenant: TenantRow) {
  return { id: tenant.id, uuid: tenant.uuid, name: tenant.name };
}
