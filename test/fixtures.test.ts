import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { displayPrefix, hashSecret } from "../src/auth/secrets.js";
import type { Database } from "../src/db/database.js";
import { SqliteDatabase } from "../src/db/sqlite/sqlite-database.js";
import { bootstrapTenant, BootstrapInputError } from "../src/fixtures/bootstrap.js";
import { loadDemoIfEmpty } from "../src/fixtures/demo.js";
import { FixtureConflictError, loadFixture, type SeedSummary } from "../src/fixtures/load-fixture.js";
import { validateFixture, type Fixture, type FixtureError } from "../src/fixtures/validate-fixture.js";
import { demoFixturePath, projectRoot } from "../src/paths.js";
import { createTempDatabase, type TempDatabase } from "./support/temp-db.js";

/** The contract's example fixture: a committed copy if the project has one, else the shared original. */
const EXAMPLE_PATH =
  [
    join(projectRoot, "fixtures", "example.json"),
    join(projectRoot, "..", "shared", "fixtures", "example.json"),
  ].find((path) => existsSync(path)) ??
  "example.json (neither fixtures/example.json nor ../shared/fixtures/example.json exists)";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const HOUR = 3_600_000;
const TABLES = ["tenants", "users", "api_keys", "invitations"] as const;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function validFixture(data: unknown): Fixture {
  const result = validateFixture(data);
  if (!result.ok) throw new Error(`expected a valid fixture: ${JSON.stringify(result.errors)}`);
  return result.fixture;
}

async function rowCounts(database: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES)
    counts[table] = (await row(database, `SELECT count(*) AS n FROM ${table}`)).n as number;
  return counts;
}

async function row(database: Database, sql: string, ...params: unknown[]): Promise<Record<string, unknown>> {
  return (await database.query(sql, params))[0]!;
}

/** What `cli seed` does: validate, then load only a valid fixture. */
async function seed(
  database: Database,
  data: unknown,
): Promise<{ errors: FixtureError[] } | { loaded: SeedSummary }> {
  const result = validateFixture(data);
  if (!result.ok) return { errors: result.errors };
  try {
    return { loaded: await loadFixture(database, result.fixture, NOW) };
  } catch (error) {
    if (error instanceof FixtureConflictError) return { errors: error.errors };
    throw error;
  }
}

/** Sets (or, with `undefined`, deletes) the value at `path` inside a JSON document. */
function edit(document: unknown, path: readonly (string | number)[], value: unknown): void {
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document);
  const target = parent as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete target[last];
  else target[last] = value;
}

/** Every value in every row of every table, as text: where a leaked secret would show up. */
async function everyRowAsText(database: Database): Promise<string> {
  const tables = [
    "tenants",
    "users",
    "api_keys",
    "invitations",
    "email_outbox",
    "audit_events",
    "idempotency_keys",
  ];
  const dumps: string[] = [];
  for (const table of tables) dumps.push(JSON.stringify(await database.query(`SELECT * FROM "${table}"`)));
  return dumps.join("\n");
}

describe("validateFixture", () => {
  it("accepts the contract's example fixture", async () => {
    expect(validateFixture(readJson(EXAMPLE_PATH))).toMatchObject({ ok: true });
  });

  it("accepts the project's demo fixture", async () => {
    expect(validateFixture(readJson(demoFixturePath))).toMatchObject({ ok: true });
  });

  const invalidCases: {
    name: string;
    change: (fixture: Record<string, unknown>) => unknown;
    path: string;
    message: RegExp;
  }[] = [
    {
      name: "a role outside the enum",
      change: (f) => edit(f, ["tenants", 0, "users", 2, "role"], "owner"),
      path: "tenants[0].users[2].role",
      message: /"admin", "member"/,
    },
    {
      name: "a tenant without a name",
      change: (f) => edit(f, ["tenants", 0, "name"], undefined),
      path: "tenants[0].name",
      message: /is required/,
    },
    {
      name: "an empty tenant name",
      change: (f) => edit(f, ["tenants", 1, "name"], ""),
      path: "tenants[1].name",
      message: /must not be empty/,
    },
    {
      name: "an unknown property",
      change: (f) => edit(f, ["tenants", 0, "users", 1, "colour"], "blue"),
      path: "tenants[0].users[1].colour",
      message: /not a known property/,
    },
    {
      name: "a malformed uuid",
      change: (f) => edit(f, ["tenants", 0, "users", 0, "uuid"], "not-a-uuid"),
      path: "tenants[0].users[0].uuid",
      message: /UUID/,
    },
    {
      name: "a malformed email",
      change: (f) => edit(f, ["tenants", 1, "users", 1, "email"], "gus-at-globex"),
      path: "tenants[1].users[1].email",
      message: /email/,
    },
    {
      name: "a date-time that is not one",
      change: (f) => edit(f, ["tenants", 0, "invitations", 0, "expiresAt"], "next week"),
      path: "tenants[0].invitations[0].expiresAt",
      message: /date-time/,
    },
    {
      name: "a leap-second date-time, which no timestamp can hold",
      change: (f) => edit(f, ["tenants", 0, "invitations", 1, "createdAt"], "2016-12-31T23:59:60Z"),
      path: "tenants[0].invitations[1].createdAt",
      message: /date-time/,
    },
    {
      name: "a value of the wrong type",
      change: (f) => edit(f, ["tenants", 0, "users", 0, "emailVerified"], "yes"),
      path: "tenants[0].users[0].emailVerified",
      message: /must be boolean/,
    },
    {
      name: "an API key too short to be a secret",
      change: (f) => edit(f, ["tenants", 0, "users", 0, "apiKeys", 0], "short"),
      path: "tenants[0].users[0].apiKeys[0]",
      message: /at least 16/,
    },
    {
      name: "an id of zero",
      change: (f) => edit(f, ["tenants", 0, "invitations", 0, "id"], 0),
      path: "tenants[0].invitations[0].id",
      message: />= 1/,
    },
    {
      name: "an id JSON numbers cannot hold exactly",
      change: (f) => edit(f, ["tenants", 0, "id"], 2 ** 53),
      path: "tenants[0].id",
      message: /at most 9007199254740991/,
    },
    {
      name: "a document that is not an object",
      change: () => [],
      path: "$",
      message: /must be object/,
    },
    {
      name: "a document without tenants",
      change: () => ({}),
      path: "tenants",
      message: /is required/,
    },
    {
      name: "an invitee of another tenant",
      change: (f) => edit(f, ["tenants", 1, "invitations", 0, "userId"], 2),
      path: "tenants[1].invitations[0].userId",
      message: /belongs to tenants\[0\]/,
    },
    {
      name: "an inviter that no tenant declares",
      change: (f) => edit(f, ["tenants", 0, "invitations", 0, "inviterId"], 99),
      path: "tenants[0].invitations[0].inviterId",
      message: /no user with id 99/,
    },
    {
      name: "an email used twice in a tenant, in another case",
      change: (f) => edit(f, ["tenants", 0, "users", 1, "email"], "ADA@acme.test"),
      path: "tenants[0].users[1].email",
      message: /duplicate email .*tenants\[0\]\.users\[0\]\.email/,
    },
    {
      name: "a user id used twice",
      change: (f) => edit(f, ["tenants", 0, "users", 3, "id"], 3),
      path: "tenants[0].users[3].id",
      message: /duplicate user id \(also at tenants\[0\]\.users\[2\]\.id\)/,
    },
    {
      name: "a tenant id used twice",
      change: (f) => edit(f, ["tenants", 1, "id"], 1024),
      path: "tenants[1].id",
      message: /duplicate tenant id/,
    },
    {
      name: "an invitation id used twice across tenants",
      change: (f) => edit(f, ["tenants", 1, "invitations", 0, "id"], 9001),
      path: "tenants[1].invitations[0].id",
      message: /duplicate invitation id/,
    },
    {
      name: "a user uuid used twice across tenants, in another case",
      change: (f) => edit(f, ["tenants", 1, "users", 1, "uuid"], "0B6F1C2E-5A1D-4C39-9A57-0C1F4A7C0001"),
      path: "tenants[1].users[1].uuid",
      message: /duplicate user uuid/,
    },
    {
      name: "an API key given to two users",
      change: (f) => edit(f, ["tenants", 1, "users", 0, "apiKeys", 0], "acme-admin-key-0000000000000001"),
      path: "tenants[1].users[0].apiKeys[0]",
      message: /duplicate API key/,
    },
  ];

  describe("rejects invalid fixtures, naming the path, and writes nothing", () => {
    let db: TempDatabase;
    beforeAll(async () => {
      db = await createTempDatabase();
      // Existing rows, so "unchanged" is not just "still empty".
      expect(await seed(db.database, readJson(demoFixturePath))).toHaveProperty("loaded");
    });
    afterAll(() => db.dispose());

    it.each(invalidCases)("$name → $path", async ({ change, path, message }) => {
      const fixture = readJson(EXAMPLE_PATH) as Record<string, unknown>;
      const data = change(fixture) ?? fixture;
      const before = await rowCounts(db.database);

      const outcome = await seed(db.database, data);

      expect(outcome).toEqual({ errors: [{ path, message: expect.stringMatching(message) }] });
      expect(await rowCounts(db.database)).toEqual(before);
    });
  });

  it("reports every schema problem at once", async () => {
    const fixture = readJson(EXAMPLE_PATH);
    edit(fixture, ["tenants", 0, "users", 2, "role"], "owner");
    edit(fixture, ["tenants", 1, "status"], "paused");
    const result = validateFixture(fixture);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.path)).toEqual([
      "tenants[0].users[2].role",
      "tenants[1].status",
    ]);
  });
});

describe("loadFixture", () => {
  let db: TempDatabase;
  afterEach(() => db.dispose());

  it("loads the example fixture and maps its values", async () => {
    db = await createTempDatabase();
    const summary = await loadFixture(db.database, validFixture(readJson(EXAMPLE_PATH)), NOW);

    expect(summary).toEqual({ tenants: 2, users: 9, apiKeys: 3, invitations: 5 });
    expect(await rowCounts(db.database)).toEqual({ tenants: 2, users: 9, api_keys: 3, invitations: 5 });
    expect(await row(db.database, "SELECT * FROM tenants WHERE id = 1024")).toMatchObject({
      uuid: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0",
      name: "Acme Procurement",
      type: "buyer",
      status: "active",
      created_at: NOW,
    });
    expect(await row(db.database, "SELECT * FROM users WHERE id = 2")).toMatchObject({
      tenant_id: 1024,
      email: "bob@acme.test",
      role: "member",
      kind: "human",
      email_verified_at: null,
    });
    expect(await row(db.database, "SELECT * FROM users WHERE id = 1")).toMatchObject({
      role: "admin",
      email_verified_at: NOW,
    });
    expect(await row(db.database, "SELECT email, kind FROM users WHERE id = 3")).toEqual({
      email: null,
      kind: "human",
    });
    expect(await row(db.database, "SELECT kind FROM users WHERE id = 4")).toEqual({
      kind: "service_account",
    });
    expect(await row(db.database, "SELECT * FROM invitations WHERE id = 9004")).toMatchObject({
      tenant_id: 1024,
      user_id: 7,
      inviter_id: 1,
      status: "pending",
      token_hash: null,
      send_count: 1,
      created_at: Date.parse("2025-06-01T09:00:00Z"),
      updated_at: Date.parse("2025-06-01T09:00:00Z"),
      expires_at: Date.parse("2025-06-08T09:00:00Z"),
      last_sent_at: Date.parse("2025-06-01T09:00:00Z"),
    });
    expect(await row(db.database, "SELECT status, accepted_at FROM invitations WHERE id = 9002")).toEqual({
      status: "accepted",
      accepted_at: Date.parse("2026-01-11T09:00:00Z"),
    });
    // 9100 gives only expiresAt: created "now", never sent.
    expect(await row(db.database, "SELECT * FROM invitations WHERE id = 9100")).toMatchObject({
      tenant_id: 2048,
      created_at: NOW,
      expires_at: Date.parse("2099-01-01T00:00:00Z"),
      last_sent_at: null,
      send_count: 1,
    });
  });

  it("stores API keys only as hashes", async () => {
    db = await createTempDatabase();
    await loadFixture(db.database, validFixture(readJson(EXAMPLE_PATH)), NOW);
    const key = "acme-admin-key-0000000000000001";

    expect(await row(db.database, "SELECT * FROM api_keys WHERE user_id = 1")).toMatchObject({
      tenant_id: 1024,
      key_hash: hashSecret(key),
      prefix: displayPrefix(key),
      revoked_at: null,
    });
    const keys = [
      "acme-admin-key-0000000000000001",
      "acme-member-key-000000000000006",
      "globex-admin-key-00000000000020",
    ];
    const rows = await everyRowAsText(db.database);
    for (const plaintext of keys) expect(rows).not.toContain(plaintext);
    // SQLite: not in the file either, pages of the WAL and freed pages included.
    if (db.database instanceof SqliteDatabase) {
      db.database.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      const file = readFileSync(db.database.file);
      for (const plaintext of keys) expect(file.includes(plaintext)).toBe(false);
    }
  });

  it("generates absent ids and uuids, numbering them after the explicit ones, and lower-cases", async () => {
    db = await createTempDatabase();
    const fixture = validFixture({
      tenants: [
        {
          name: "Mixed",
          users: [
            { name: "No id", email: "Mixed.Case@Example.TEST" },
            { id: 1, uuid: "ABCDEF01-2345-4678-9ABC-DEF012345678", name: "Explicit" },
          ],
          invitations: [{ userId: 1, createdAt: "2026-02-01T00:00:00+01:00" }],
        },
      ],
    });

    await loadFixture(db.database, fixture, NOW);

    const users = await db.database.query("SELECT id, uuid, name, email FROM users ORDER BY id");
    expect(users).toEqual([
      { id: 1, uuid: "abcdef01-2345-4678-9abc-def012345678", name: "Explicit", email: null },
      {
        id: 2,
        uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/),
        name: "No id",
        email: "mixed.case@example.test",
      },
    ]);
    const createdAt = Date.parse("2026-01-31T23:00:00Z");
    expect(
      await row(db.database, "SELECT status, created_at, expires_at, inviter_id FROM invitations"),
    ).toEqual({
      status: "pending",
      created_at: createdAt,
      expires_at: createdAt + 168 * HOUR,
      inviter_id: null,
    });
  });

  it("refuses ids, uuids and API keys the database already holds, naming each, and writes nothing", async () => {
    db = await createTempDatabase();
    await loadFixture(db.database, validFixture(readJson(EXAMPLE_PATH)), NOW);
    const before = await rowCounts(db.database);
    const fixture = validFixture({
      tenants: [
        { name: "New and fine", users: [{ name: "Fresh", email: "fresh@new.test" }] },
        {
          name: "Clashing",
          uuid: "7C1D2A4E-1111-4A2B-8C3D-000000002048",
          users: [
            { id: 2, name: "Bob again" },
            { id: 500, name: "Key reuser", apiKeys: ["globex-admin-key-00000000000020"] },
          ],
          invitations: [{ id: 9100, userId: 500 }],
        },
      ],
    });

    let thrown: unknown;
    try {
      await loadFixture(db.database, fixture, NOW);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(FixtureConflictError);
    expect((thrown as FixtureConflictError).errors.map((error) => error.path)).toEqual([
      "tenants[1].uuid",
      "tenants[1].users[0].id",
      "tenants[1].users[1].apiKeys[0]",
      "tenants[1].invitations[0].id",
    ]);
    expect(await rowCounts(db.database)).toEqual(before);
  });

  it("loads 10,000 invitations", async () => {
    db = await createTempDatabase();
    const users = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      name: `User ${i + 1}`,
      email: `u${i + 1}@big.test`,
    }));
    const invitations = Array.from({ length: 10_000 }, (_, i) => ({
      userId: (i % 99) + 2,
      inviterId: 1,
      createdAt: "2026-02-01T00:00:00Z",
    }));
    const fixture = validFixture({ tenants: [{ name: "Big", users, invitations }] });

    expect((await loadFixture(db.database, fixture, NOW)).invitations).toBe(10_000);
    expect((await rowCounts(db.database)).invitations).toBe(10_000);
  });
});

describe("loadDemoIfEmpty", () => {
  let db: TempDatabase;
  afterEach(() => db.dispose());

  it("loads the demo into an empty database and issues an admin key, stored hashed", async () => {
    db = await createTempDatabase();
    const demo = await loadDemoIfEmpty(db.database, NOW);

    expect(demo).not.toBeNull();
    if (!demo) return;
    // The seed documents' own example requests name these ids (tenant 1024, user 1, invitation 9001).
    expect(demo.tenant).toEqual({
      id: 1024,
      uuid: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0",
      name: "Acme Procurement",
    });
    expect(demo.admin).toEqual({
      id: 10,
      uuid: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0010",
      email: "ada@acme.test",
    });
    expect(
      await row(
        db.database,
        "SELECT user_id, tenant_id FROM api_keys WHERE key_hash = ?",
        hashSecret(demo.apiKey),
      ),
    ).toEqual({
      user_id: 10,
      tenant_id: 1024,
    });
    expect(await everyRowAsText(db.database)).not.toContain(demo.apiKey);
    // Each banner example resends its own pending invitation, of an unverified human of the demo tenant.
    const { graphqlInvitationId, restInvitationId, ideInvitationId, ideUserUuid } = demo.examples;
    const invitationIds = [graphqlInvitationId, restInvitationId, ideInvitationId];
    expect(new Set(invitationIds).size).toBe(3);
    for (const id of invitationIds) {
      const invitation = await row(db.database, "SELECT * FROM invitations WHERE id = ?", id);
      expect(invitation).toMatchObject({ tenant_id: 1024, status: "pending" });
      expect(invitation.expires_at).toBeGreaterThan(NOW);
    }
    const user = await row(db.database, "SELECT * FROM users WHERE uuid = ?", ideUserUuid);
    expect(user).toMatchObject({ tenant_id: 1024, kind: "human", email_verified_at: null });
    const byUser = await row(db.database, "SELECT id FROM invitations WHERE user_id = ?", user.id);
    expect(invitationIds).not.toContain(byUser.id);
  });

  it("does nothing when a tenant exists", async () => {
    db = await createTempDatabase();
    await bootstrapTenant(db.database, { tenantName: "Already here", adminEmail: "admin@here.test" }, NOW);
    const before = await rowCounts(db.database);

    expect(await loadDemoIfEmpty(db.database, NOW)).toBeNull();
    expect(await rowCounts(db.database)).toEqual(before);
  });

  it("loads only once", async () => {
    db = await createTempDatabase();
    expect(await loadDemoIfEmpty(db.database, NOW)).not.toBeNull();
    expect(await loadDemoIfEmpty(db.database, NOW)).toBeNull();
  });
});

describe("bootstrapTenant", () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase();
  });
  afterAll(() => db.dispose());

  it("creates a tenant, a verified human admin named after the email, and a hashed key", async () => {
    const result = await bootstrapTenant(
      db.database,
      { tenantName: "  Initech ", adminEmail: "Peter.Gibbons+ops@Initech.test" },
      NOW,
    );

    expect(result.tenant).toMatchObject({ name: "Initech" });
    expect(result.user).toMatchObject({ email: "peter.gibbons+ops@initech.test", role: "admin" });
    expect(await row(db.database, "SELECT * FROM users WHERE id = ?", result.user.id)).toMatchObject({
      tenant_id: result.tenant.id,
      uuid: result.user.uuid,
      name: "Peter Gibbons",
      kind: "human",
      email_verified_at: NOW,
    });
    expect(
      await row(db.database, "SELECT user_id FROM api_keys WHERE key_hash = ?", hashSecret(result.apiKey)),
    ).toEqual({
      user_id: result.user.id,
    });
    expect(await everyRowAsText(db.database)).not.toContain(result.apiKey);
  });

  it.each([
    { tenantName: "  ", adminEmail: "a@b.test", flag: "--tenant" },
    { tenantName: "x".repeat(201), adminEmail: "a@b.test", flag: "--tenant" },
    { tenantName: "Fine", adminEmail: "not an email", flag: "--admin-email" },
    { tenantName: "Fine", adminEmail: "", flag: "--admin-email" },
  ])("rejects $flag input naming the flag", async ({ flag, ...input }) => {
    const before = await rowCounts(db.database);
    await expect(bootstrapTenant(db.database, input, NOW)).rejects.toThrow(
      expect.objectContaining({
        constructor: BootstrapInputError,
        flag,
        message: expect.stringMatching(`^${flag}: `),
      }),
    );
    expect(await rowCounts(db.database)).toEqual(before);
  });
});
