import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import { ACME, GLOBEX, KEYS, loadTestFixture, rows } from "./support/harness.js";
import { postGraphQL } from "./support/graphql-client.js";
import { startTestServer, type TestServer } from "./support/server.js";
import { createTempDatabase, type TempDatabase } from "./support/temp-db.js";

const CLI = join(projectRoot, "src", "cli", "main.ts");
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real command line in a child process: another process than any server, as an operator runs it. */
function cli(databaseFile: string, ...args: string[]): Run {
  const { status, stdout, stderr } = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: projectRoot,
    env: { ...process.env, DATABASE_URL: databaseFile },
    encoding: "utf8",
  });
  return { status, stdout, stderr };
}

/** The same, without blocking the event loop: a server in this process must keep answering meanwhile. */
async function cliAsync(databaseFile: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, DATABASE_URL: databaseFile },
        encoding: "utf8",
      },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function json<T>(run: Run): T {
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface Created {
  apiKey: string;
  id: number;
  prefix: string;
  name: string | null;
  user: { id: number; uuid: string; email: string | null; name: string };
  tenant: { id: number; uuid: string; name: string };
  createdAt: string;
}

interface Listed {
  tenant: { id: number; uuid: string; name: string };
  apiKeys: Record<string, unknown>[];
}

interface Revoked {
  id: number;
  prefix: string;
  revokedAt: string | null;
  alreadyRevoked: boolean;
}

describe("cli apikey", () => {
  let db: TempDatabase;
  beforeEach(async () => {
    db = await createTempDatabase();
    await loadTestFixture(db.database);
  });
  afterEach(() => db.dispose());

  it("create prints the new key once, with its id and display prefix, and stores only its hash", async () => {
    const created = json<Created>(cli(db.url, "apikey", "create", "--user", "1", "--name", " deploy bot "));

    expect(created.apiKey).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      ok: true,
      prefix: created.apiKey.slice(0, 12),
      name: "deploy bot",
      user: { id: 1, email: "ada@acme.test" },
      tenant: { id: ACME.id, uuid: ACME.uuid },
    });
    const [row] = await rows<Record<string, unknown>>(db, "SELECT * FROM api_keys WHERE id = ?", created.id);
    expect(row).toMatchObject({
      key_hash: sha256(created.apiKey),
      prefix: created.prefix,
      tenant_id: ACME.id,
    });
    expect(JSON.stringify(row)).not.toContain(created.apiKey);
  });

  it("create accepts a user uuid and files the key under that user's tenant", async () => {
    const created = json<Created>(
      cli(db.url, "apikey", "create", "--user", "7C1D2A4E-1111-4A2B-8C3D-000000000020"),
    );

    expect(created).toMatchObject({ user: { id: 20 }, tenant: { id: GLOBEX.id }, name: null });
  });

  it("list shows a tenant's keys, by id or uuid, without their hashes or other tenants' keys", async () => {
    const created = json<Created>(cli(db.url, "apikey", "create", "--user", "6", "--name", "ops"));
    const byUuid = cli(db.url, "apikey", "list", "--tenant", ACME.uuid);
    const listed = json<Listed>(byUuid);

    expect(json<Listed>(cli(db.url, "apikey", "list", "--tenant", String(ACME.id)))).toEqual(listed);
    expect(listed.tenant).toEqual({ id: ACME.id, uuid: ACME.uuid, name: "Acme Procurement" });
    expect(listed.apiKeys.map((key) => key.id)).toHaveLength(3);
    for (const key of listed.apiKeys) {
      expect(Object.keys(key).sort()).toEqual(
        ["createdAt", "id", "lastUsedAt", "name", "prefix", "revokedAt", "user"].sort(),
      );
    }
    expect(listed.apiKeys.at(-1)).toEqual({
      id: created.id,
      prefix: created.prefix,
      name: "ops",
      user: {
        id: 6,
        uuid: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0006",
        email: "max@acme.test",
        name: "Max Member",
      },
      createdAt: created.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    for (const hash of (await rows<{ key_hash: string }>(db, "SELECT key_hash FROM api_keys")).map(
      (r) => r.key_hash,
    )) {
      expect(byUuid.stdout).not.toContain(hash);
    }
    expect(byUuid.stdout).not.toContain(KEYS.globexAdmin.slice(0, 10));
  });

  it("revoke is idempotent: the second call keeps the first time and says so", async () => {
    const created = json<Created>(cli(db.url, "apikey", "create", "--user", "1"));

    const first = json<Revoked>(cli(db.url, "apikey", "revoke", "--id", String(created.id)));
    const second = json<Revoked>(cli(db.url, "apikey", "revoke", "--id", String(created.id)));

    expect(first).toMatchObject({ ok: true, id: created.id, prefix: created.prefix, alreadyRevoked: false });
    expect(first.revokedAt).toEqual(expect.any(String));
    expect(second).toEqual({ ...first, alreadyRevoked: true });
  });

  it.each([
    { args: ["create"], flag: "--user is required" },
    { args: ["create", "--user", "abc"], flag: "--user must be" },
    { args: ["create", "--user", "1", "--name", "   "], flag: "--name must be" },
    { args: ["create", "--user", "1", "--nmae", "x"], flag: "'--nmae'" },
    { args: ["list"], flag: "--tenant is required" },
    { args: ["list", "--tenant", "-1"], flag: "--tenant" },
    { args: ["revoke", "--id", "a1b2"], flag: "--id must be" },
    { args: ["revoke", "--id", ACME.uuid], flag: "--id must be" },
    { args: ["rotate"], flag: 'unknown subcommand "rotate"' },
    { args: [], flag: "a subcommand is required" },
  ])("apikey $args exits 2 naming the problem ($flag)", ({ args, flag }) => {
    const run = cli(db.url, "apikey", ...args);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(flag);
  });

  it.each([
    { args: ["create", "--user", "999"], message: "--user: no user with id 999" },
    { args: ["list", "--tenant", "999"], message: "--tenant: no tenant with id 999" },
    { args: ["revoke", "--id", "999"], message: "--id: no API key with id 999" },
  ])("apikey $args exits 1 naming what was not found", ({ args, message }) => {
    const run = cli(db.url, "apikey", ...args);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(message);
  });

  it("refuses a database that does not exist, and does not create it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "invitation-api-cli-apikey-"));
    const missing = join(dir, "nope.db");
    try {
      const run = cli(missing, "apikey", "list", "--tenant", "1");

      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`DATABASE_URL: no database at ${missing}`);
      expect(existsSync(missing)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("keys issued and revoked by the command line, against a running server", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  const viewer = (key: string) =>
    postGraphQL(s.url, { query: "{ viewer { id } }" }, { authorization: `Bearer ${key}` }).then(
      (response) => response.body.data?.viewer,
    );

  it("a new key works at once; after `apikey revoke` the very next request is refused", async () => {
    const created = json<Created>(await cliAsync(s.databaseUrl, "apikey", "create", "--user", "1"));
    expect(await viewer(KEYS.acmeAdmin)).toEqual({ id: "1" });
    // The first use records lastUsedAt; the second finds the key in the server's cache of recent keys.
    expect(await viewer(created.apiKey)).toEqual({ id: "1" });
    expect(await viewer(created.apiKey)).toEqual({ id: "1" });

    const listed = json<Listed>(await cliAsync(s.databaseUrl, "apikey", "list", "--tenant", String(ACME.id)));
    // The server's clock is the tests' T0; the key was used just now.
    expect(listed.apiKeys.find((key) => key.id === created.id)).toMatchObject({
      lastUsedAt: "2026-03-01T12:00:00.000Z",
      revokedAt: null,
    });

    json<Revoked>(await cliAsync(s.databaseUrl, "apikey", "revoke", "--id", String(created.id)));

    expect(await viewer(created.apiKey)).toBeNull();
    const refused = await postGraphQL(
      s.url,
      { query: 'mutation { resendInvitation(input: { invitationId: "9001" }) { __typename } }' },
      { authorization: `Bearer ${created.apiKey}` },
    );
    expect(refused.body.data?.resendInvitation).toEqual({ __typename: "Unauthenticated" });
    // Only that key: the admin's other key still works.
    expect(await viewer(KEYS.acmeAdmin)).toEqual({ id: "1" });
  });
});
