import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { projectRoot } from "../../src/paths.js";
import { spawnServer } from "./support/child-server.js";

/** A policy file with a schema typo (`principal.rol`), line 4. */
const TYPO_POLICY_FILE = join(projectRoot, "test", "fixtures", "policies", "typo.cedar");

/** Each variable with values that must stop the server. */
const BAD_VALUES: Readonly<Record<string, readonly string[]>> = {
  HOST: ["http://127.0.0.1", "two words", "-leading-hyphen"],
  PORT: ["abc", "70000", "-1", "80.5"],
  DATABASE_URL: ["mysql://user:pw@db/invitations", "postgres://user:pw@db", "postgresql://", "file:"],
  DATABASE_POOL_SIZE: ["0", "many", "2.5"],
  DATABASE_STATEMENT_TIMEOUT_SECONDS: ["-1", "soon"],
  SMTP_URL: ["http://mail.example", "smtp://", "not a url"],
  MAIL_FROM: ["not an address", "Name <>"],
  PUBLIC_URL: ["ftp://example.test", "https://example.test/?q=1", "example.test"],
  INVITATION_TTL_HOURS: ["0", "abc", "-1"],
  RESEND_COOLDOWN_SECONDS: ["-5", "1.5", "soon"],
  MAX_EMAILS_PER_TENANT_PER_HOUR: ["0", "many"],
  MAX_EMAILS_PER_RECIPIENT_PER_DAY: ["0", "1e3"],
  GRAPHQL_IDE: ["yes", "true"],
  GRAPHQL_INTROSPECTION: ["yes", "1"],
  NODE_ENV: ["prod", "Production"],
  LOG_LEVEL: ["verbose", "INFO"],
  RATE_LIMIT_PER_MINUTE: ["-1", "lots", "10.5"],
  SHUTDOWN_TIMEOUT_SECONDS: ["0", "forever"],
  CORS_ORIGINS: ["*", "https://app.example.test/path", "app.example.test", "https://a.test,ftp://b.test"],
  METRICS: ["yes", "0"],
  REQUEST_TIMEOUT_SECONDS: ["0", "soon", "3601"],
  // 40 is longer than the default request timeout (30), which contains it.
  HEADERS_TIMEOUT_SECONDS: ["0", "1.5", "40"],
  REDIS_URL: ["http://127.0.0.1:6379", "redis://", "127.0.0.1:6379", "not a url"],
  POLICY_FILE: ["/nonexistent/policies.cedar", projectRoot, TYPO_POLICY_FILE],
  WEBHOOK_ALLOW_PRIVATE: ["yes", "true", "1"],
  // Too short, too long, not hex nor base64, base64 of 31 bytes.
  WEBHOOK_SECRET_KEY: ["abc", "5e".repeat(33), "z".repeat(64), Buffer.alloc(31, 7).toString("base64")],
};
const CASES = Object.entries(BAD_VALUES).flatMap(([name, values]) =>
  values.map((value) => ({ name, value })),
);

function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it.each(CASES)("$name=$value stops start-up with one line naming $name", ({ name, value }) => {
    const { message } = configErrorFor({ [name]: value });
    expect(message.startsWith(`${name}: `)).toBe(true);
    expect(message).not.toContain("\n");
  });

  it("covers every variable of the README's configuration table", () => {
    const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Using it"));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)`/gm)].map((match) => match[1]);
    expect(documented.length).toBeGreaterThan(5);
    for (const name of documented) expect(Object.keys(BAD_VALUES)).toContain(name);
  });

  it("reads a PostgreSQL DATABASE_URL, and never echoes its password", () => {
    expect(
      loadConfig({ DATABASE_URL: "postgresql://app:s3cret@db.internal:5432/invitations" }),
    ).toMatchObject({
      database: { dialect: "postgres", url: "postgresql://app:s3cret@db.internal:5432/invitations" },
      databasePoolSize: 10,
      databaseStatementTimeoutSeconds: 30,
    });
    expect(configErrorFor({ DATABASE_URL: "postgres://app:s3cret@db.internal" }).message).not.toContain(
      "s3cret",
    );
  });

  it("never echoes an SMTP or Redis password", () => {
    expect(configErrorFor({ SMTP_URL: "smtps://user:hunter2@" }).message).not.toContain("hunter2");
    expect(configErrorFor({ REDIS_URL: "rediss://:hunter2@" }).message).not.toContain("hunter2");
  });

  it("reads WEBHOOK_SECRET_KEY as hex or base64 and never echoes it; without it webhooks have no key", () => {
    const hex = "5e".repeat(32);
    expect(loadConfig({ WEBHOOK_SECRET_KEY: hex }).webhookSecretKey).toEqual(Buffer.from(hex, "hex"));
    const base64 = Buffer.alloc(32, 9).toString("base64");
    expect(loadConfig({ WEBHOOK_SECRET_KEY: base64 }).webhookSecretKey).toEqual(Buffer.alloc(32, 9));
    expect(loadConfig({})).toMatchObject({ webhookSecretKey: null, webhookAllowPrivate: false });
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: "on" }).webhookAllowPrivate).toBe(true);
    const leaked = "0123456789abcdef".repeat(3);
    expect(configErrorFor({ WEBHOOK_SECRET_KEY: leaked }).message).not.toContain(leaked);
  });

  it("names the policy file, the line and the problem of an invalid POLICY_FILE", () => {
    expect(configErrorFor({ POLICY_FILE: TYPO_POLICY_FILE }).message).toBe(
      `POLICY_FILE: ${TYPO_POLICY_FILE}:4:8: policy "admins": attribute \`rol\` on entity type \`User\` not found (did you mean \`role\`?)`,
    );
    expect(configErrorFor({ POLICY_FILE: "/nonexistent/policies.cedar" }).message).toBe(
      "POLICY_FILE: /nonexistent/policies.cedar: cannot read the file: no such file",
    );
    expect(loadConfig({}).policies.origin).toMatch(/policies\/default\.cedar$/);
  });

  it("has defaults for the limits, and lets RATE_LIMIT_PER_MINUTE=0 turn the rate limit off", () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerMinute: 600, shutdownTimeoutSeconds: 10 });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: "0" }).rateLimitPerMinute).toBe(0);
    expect(loadConfig({})).toMatchObject({ requestTimeoutSeconds: 30, headersTimeoutSeconds: 10 });
    expect(loadConfig({ REQUEST_TIMEOUT_SECONDS: "5" }).headersTimeoutSeconds).toBe(5);
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(loadConfig({ REDIS_URL: "rediss://:pw@redis.internal:6380/2" }).redisUrl).toBe(
      "rediss://:pw@redis.internal:6380/2",
    );
    expect(loadConfig({ HOST: "::1" }).host).toBe("::1");
    expect(loadConfig({ HOST: "api.internal" }).host).toBe("api.internal");
  });
});

describe("the server process", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startFails(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-config-"));
    const server = spawnServer({ DATABASE_URL: join(dir, "test.db"), ...env }, dir);
    const { code } = await server.exited;
    expect(server.stdout()).not.toContain("listening");
    return { code, stderr: server.stderr() };
  }

  it("prints one line naming PORT and exits non-zero on PORT=abc", async () => {
    const { code, stderr } = await startFails({ PORT: "abc" });
    expect(code).not.toBe(0);
    expect(stderr).toBe('PORT: must be an integer from 0 to 65535 (got "abc")\n');
  });

  it.each(["/proc/nope/x.db", "/dev/null/x.db"])(
    "prints one line naming DATABASE_URL and exits non-zero when %s cannot be created",
    async (path) => {
      const { code, stderr } = await startFails({ DATABASE_URL: path });
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/^DATABASE_URL: [^\n]+\n$/);
    },
  );

  it("prints one line naming DATABASE_URL when the PostgreSQL server cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { code, stderr } = await startFails({
      DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/nothing`,
    });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^DATABASE_URL: [^\n]+\n$/);
    expect(stderr).not.toContain("s3cret");
  });

  it("prints one line naming POLICY_FILE, the file, the line and the problem of a broken policy file", async () => {
    const { code, stderr } = await startFails({ POLICY_FILE: TYPO_POLICY_FILE });
    expect(code).not.toBe(0);
    expect(stderr).toBe(
      `POLICY_FILE: ${TYPO_POLICY_FILE}:4:8: policy "admins": attribute \`rol\` on entity type \`User\` not found (did you mean \`role\`?)\n`,
    );
  });

  it("prints one line naming PORT when the port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const { code, stderr } = await startFails({ HOST: "127.0.0.1", PORT: String(port) });
      expect(code).not.toBe(0);
      expect(stderr).toBe(`PORT: ${port} is already in use on 127.0.0.1\n`);
    } finally {
      taken.close();
    }
  });
});
