import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashSecret } from "../src/auth/secrets.js";
import { createServer, type AddressInfo } from "node:net";
import { withDatabaseAt } from "./support/temp-db.js";
import { resolveDatabaseFile } from "../src/db/database-url.js";
import { projectRoot } from "../src/paths.js";

/** Every migration shipped in drizzle/, as a fresh database applies them all. */
const SHIPPED_MIGRATIONS = (
  JSON.parse(readFileSync(join(projectRoot, "drizzle", "sqlite", "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  }
).entries.length;

const CLI = join(projectRoot, "src", "cli", "main.ts");
/** The contract's example fixture: a committed copy if the project has one, else the shared original. */
const EXAMPLE_PATH =
  [
    join(projectRoot, "fixtures", "example.json"),
    join(projectRoot, "..", "shared", "fixtures", "example.json"),
  ].find((path) => existsSync(path)) ??
  "example.json (neither fixtures/example.json nor ../shared/fixtures/example.json exists)";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process (through tsx, so no build is needed) against `databaseUrl`. */
function cli(args: string[], databaseUrl: string | undefined): Run {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl;
  const { status, stdout, stderr } = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: projectRoot,
    env,
    encoding: "utf8",
  });
  return { status, stdout, stderr };
}

function counts(url: string): Promise<Record<string, number>> {
  return withDatabaseAt(url, async (database) => {
    const counted: Record<string, number> = {};
    for (const table of ["tenants", "users", "api_keys", "invitations"]) {
      counted[table] = (await database.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n;
    }
    return counted;
  });
}

const migrate = (url: string) => withDatabaseAt(url, (database) => database.migrate());

const EMPTY = { tenants: 0, users: 0, api_keys: 0, invitations: 0 };

describe("cli", () => {
  let dir: string;
  let database: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-cli-"));
    database = join(dir, "nested", "cli.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("seed migrates, loads the fixture and prints a JSON summary", async () => {
    const run = cli(["seed", "--file", EXAMPLE_PATH], database);

    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: true,
      database,
      migrationsApplied: SHIPPED_MIGRATIONS,
      loaded: { tenants: 2, users: 9, apiKeys: 3, invitations: 5 },
    });
    expect(await counts(database)).toEqual({ tenants: 2, users: 9, api_keys: 3, invitations: 5 });
  });

  it("seed accepts a file: URL", async () => {
    const run = cli(["seed", "--file", EXAMPLE_PATH], pathToFileURL(database).href);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ database });
  });

  it("seed of an invalid fixture exits 1 naming the path, and leaves the database empty", async () => {
    const fixture = JSON.parse(readFileSync(EXAMPLE_PATH, "utf8")) as {
      tenants: { users: Record<string, unknown>[] }[];
    };
    (fixture.tenants[0]?.users[2] as Record<string, unknown>).role = "owner";
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(fixture));
    await migrate(database);

    const run = cli(["seed", "--file", file], database);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^tenants\[0\]\.users\[2\]\.role: must be one of "admin", "member"$/m);
    expect(await counts(database)).toEqual(EMPTY);
  });

  it("seed of an invalid fixture does not create the database", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ tenants: [{ name: "" }] }));

    const run = cli(["seed", "--file", file], database);

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^tenants\[0\]\.name: /m);
    expect(existsSync(database)).toBe(false);
  });

  it("seeding twice exits 1 naming the conflicts and changes nothing", async () => {
    expect(cli(["seed", "--file", EXAMPLE_PATH], database).status).toBe(0);

    const run = cli(["seed", "--file", EXAMPLE_PATH], database);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^tenants\[0\]\.id: tenant id 1024 already exists in the database$/m);
    expect(await counts(database)).toEqual({ tenants: 2, users: 9, api_keys: 3, invitations: 5 });
  });

  it("seed names a missing or malformed fixture file", async () => {
    const missing = join(dir, "missing.json");
    const malformed = join(dir, "malformed.json");
    writeFileSync(malformed, "{ not json");

    for (const file of [missing, malformed]) {
      const run = cli(["seed", "--file", file], database);
      expect(run.status).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(file);
    }
  });

  it("migrate applies pending migrations once", async () => {
    const first = cli(["migrate"], database);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ ok: true, database, migrationsApplied: SHIPPED_MIGRATIONS });

    expect(JSON.parse(cli(["migrate"], database).stdout)).toEqual({
      ok: true,
      database,
      migrationsApplied: 0,
    });
    expect(await counts(database)).toEqual(EMPTY);
  });

  it("bootstrap prints a new API key that is stored only as a hash", async () => {
    const run = cli(
      ["bootstrap", "--tenant", "Initech", "--admin-email", "Bill.Lumbergh@Initech.test"],
      database,
    );

    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      tenant: { id: number; uuid: string; name: string };
      user: { id: number; uuid: string; email: string; role: string };
      apiKey: string;
    };
    expect(result).toMatchObject({
      tenant: { name: "Initech" },
      user: { email: "bill.lumbergh@initech.test", role: "admin" },
      apiKey: expect.stringMatching(/^inv_[\w-]{40,}$/),
    });
    await withDatabaseAt(database, async (db) => {
      expect(
        await db.query("SELECT user_id, tenant_id FROM api_keys WHERE key_hash = ?", [
          hashSecret(result.apiKey),
        ]),
      ).toEqual([{ user_id: result.user.id, tenant_id: result.tenant.id }]);
      expect(
        await db.query("SELECT count(*) AS n FROM api_keys WHERE key_hash = ?", [result.apiKey]),
      ).toEqual([{ n: 0 }]);
      expect(
        await db.query("SELECT name, kind, email_verified_at IS NOT NULL AS verified FROM users"),
      ).toEqual([{ name: "Bill Lumbergh", kind: "human", verified: expect.anything() }]);
      expect(await db.query("SELECT count(*) AS n FROM users WHERE email_verified_at IS NULL")).toEqual([
        { n: 0 },
      ]);
    });
  });

  it.each([
    { args: ["seed", "--fiel", "x.json"], flag: "--fiel" },
    { args: ["seed", "--file"], flag: "--file" },
    { args: ["seed"], flag: "--file" },
    { args: ["seed", "--file", "a.json", "extra"], flag: "extra" },
    { args: ["migrate", "--force"], flag: "--force" },
    { args: ["bootstrap", "--tenant", "Initech"], flag: "--admin-email" },
    { args: ["bootstrap", "--tenant", "Initech", "--admin-email", "not-an-email"], flag: "--admin-email" },
    { args: ["bootstrap", "--tenant", " ", "--admin-email", "a@b.test"], flag: "--tenant" },
    { args: ["frobnicate"], flag: "frobnicate" },
  ])("$args exits 2 naming $flag", ({ args, flag }) => {
    const run = cli(args, database);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(flag);
    expect(existsSync(database)).toBe(false);
  });

  it("prints the usage on --help, and on stderr with exit 2 without a command", async () => {
    const help = cli(["--help"], database);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("bootstrap --tenant NAME --admin-email EMAIL");

    const bare = cli([], database);
    expect(bare.status).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toContain("seed --file PATH");
  });

  it("rejects a DATABASE_URL of another database, naming the variable and not echoing secrets", async () => {
    const run = cli(["migrate"], "mysql://app:s3cret@db.example/invitations");

    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^error: DATABASE_URL: unsupported scheme "mysql:"/m);
    expect(run.stderr).not.toContain("s3cret");
  });

  it("names DATABASE_URL, without its password, when the PostgreSQL server cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));

    const run = cli(["migrate"], `postgres://app:s3cret@127.0.0.1:${port}/invitations`);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^error: DATABASE_URL: cannot use the database postgres:\/\/app:\*\*\*@127\.0\.0\.1/m,
    );
    expect(run.stderr).not.toContain("s3cret");
  });
});

describe("resolveDatabaseFile", () => {
  it.each([
    [undefined, resolve("data/invitations.db")],
    ["", resolve("data/invitations.db")],
    ["  ", resolve("data/invitations.db")],
    ["data/other.db", resolve("data/other.db")],
    ["/var/lib/invitations.db", "/var/lib/invitations.db"],
    ["file:relative/path.db", resolve("relative/path.db")],
    ["file:./with%20space.db", resolve("with space.db")],
    ["file:///abs/path.db", "/abs/path.db"],
    ["file://localhost/abs/path.db", "/abs/path.db"],
    [":memory:", ":memory:"],
    ["file::memory:", ":memory:"],
  ])("%j → %s", (value, expected) => {
    expect(resolveDatabaseFile(value)).toBe(expected);
  });

  it.each([
    "postgres://user:pw@localhost/db",
    "mysql://localhost/db",
    "sqlite://data.db",
    "file://remote-host/db.sqlite",
    "file:data.db?mode=ro",
    "file:",
  ])("rejects %s with a DATABASE_URL error", (value) => {
    expect(() => resolveDatabaseFile(value)).toThrow(/^DATABASE_URL: /);
  });
});
