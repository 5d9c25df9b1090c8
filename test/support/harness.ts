import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Credentials } from "../../src/auth/credentials.js";
import { createContainer, type Container } from "../../src/container.js";
import type { Database } from "../../src/db/database.js";
import { loadFixture } from "../../src/fixtures/load-fixture.js";
import { validateFixture } from "../../src/fixtures/validate-fixture.js";
import { compilePolicySet } from "../../src/policies/policy-set.js";
import type { CallContext } from "../../src/invitations/invitation.service.js";
import { createTempDatabase, type TempDatabase } from "./temp-db.js";
import { SecretBox } from "../../src/webhooks/secret-box.js";
import type { WebhookSettings } from "../../src/webhooks/webhook.service.js";

/** WEBHOOK_SECRET_KEY of every test server and harness (64 hex digits). */
export const WEBHOOK_SECRET_KEY = "5e".repeat(32);

/** The test data: the shared example fixture plus Nina (user 8), a user with no invitation yet. */
export const FIXTURE_PATH = join(import.meta.dirname, "..", "fixtures", "acme-globex.json");

export const ACME = { id: 1024, uuid: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0" };
export const GLOBEX = { id: 2048, uuid: "7c1d2a4e-1111-4a2b-8c3d-000000002048" };
export const KEYS = {
  acmeAdmin: "acme-admin-key-0000000000000001",
  acmeMember: "acme-member-key-000000000000006",
  globexAdmin: "globex-admin-key-00000000000020",
};
/** "Now" in every test: after invitation 9004 expired, before 9001 does. */
export const T0 = Date.parse("2026-03-01T12:00:00Z");
export const TTL_HOURS = 168;
export const COOLDOWN_SECONDS = 60;

export interface Harness {
  readonly db: TempDatabase;
  readonly container: Container;
  /** Every token the service generated, in order. */
  readonly tokens: string[];
  /** Moves the injected clock. */
  advance(ms: number): void;
  now(): number;
  call(apiKey: string | null, tenantHeader?: string | null): CallContext;
  dispose(): Promise<void>;
}

export async function loadTestFixture(database: Database, now = T0): Promise<void> {
  const validation = validateFixture(JSON.parse(readFileSync(FIXTURE_PATH, "utf8")));
  if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
  await loadFixture(database, validation.fixture, now);
}

export interface HarnessOptions {
  readonly cooldownSeconds?: number;
  readonly perTenantPerHour?: number;
  readonly perRecipientPerDay?: number;
  /** A Cedar policy set replacing the shipped default (as POLICY_FILE does). */
  readonly policies?: string;
  /** Default: WEBHOOK_SECRET_KEY above, private addresses allowed (receivers run on loopback). */
  readonly webhooks?: WebhookSettings;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await createTempDatabase();
  await loadTestFixture(db.database);
  let clock = T0;
  const tokens: string[] = [];
  let counter = 0;
  const container = createContainer({
    database: db.database,
    policies:
      options.policies === undefined ? undefined : compilePolicySet(options.policies, "test policies"),
    webhooks: options.webhooks ?? {
      secrets: new SecretBox(Buffer.from(WEBHOOK_SECRET_KEY, "hex")),
      allowPrivate: true,
    },
    now: () => clock,
    generateToken: () => {
      const token = `test-token-${++counter}-${"x".repeat(32)}`;
      tokens.push(token);
      return token;
    },
    settings: {
      invitationTtlMs: TTL_HOURS * 3_600_000,
      resendCooldownMs: (options.cooldownSeconds ?? COOLDOWN_SECONDS) * 1000,
      publicUrl: "https://invites.example.test",
      emailCaps: {
        perTenantPerHour: options.perTenantPerHour ?? 1000,
        perRecipientPerDay: options.perRecipientPerDay ?? 100,
      },
    },
  });
  return {
    db,
    container,
    tokens,
    advance: (ms) => {
      clock += ms;
    },
    now: () => clock,
    call: (apiKey, tenantHeader = null): CallContext => ({
      credentials: {
        apiKey,
        tenantClaims: tenantHeader === null ? [] : [tenantHeader],
      } satisfies Credentials,
      requestId: "test-request",
    }),
    dispose: () => db.dispose(),
  };
}

/**
 * Runs SQL straight on the database, so assertions do not trust the code under test. `?` placeholders on
 * both dialects; use snake_case columns or quoted aliases (PostgreSQL lower-cases unquoted ones).
 */
export function rows<T = Record<string, unknown>>(
  db: TempDatabase | Database,
  sql: string,
  ...params: unknown[]
): Promise<T[]> {
  return ("database" in db ? db.database : db).query<T>(sql, params);
}
