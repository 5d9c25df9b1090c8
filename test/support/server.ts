import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/http/logger.js";
import { startServer, type RunningServer, type StartOptions } from "../../src/server.js";
import { loadTestFixture, T0 } from "./harness.js";
import { createTestDatabaseLocation } from "./test-database.js";

export interface TestServer {
  readonly url: string;
  readonly server: RunningServer;
  /** What DATABASE_URL says: a SQLite file path or a PostgreSQL URL. */
  readonly databaseUrl: string;
  /** Every token the server generated, in order. */
  readonly tokens: string[];
  advance(ms: number): void;
  close(): Promise<void>;
}

/**
 * The real server on a free loopback port, over a real database of the test project's dialect (a SQLite
 * file, or a PostgreSQL database) seeded with the test fixture.
 * `env` overrides configuration exactly as the environment would.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    clock?: boolean;
    mail?: StartOptions["mail"];
    webhooks?: StartOptions["webhooks"];
    /** Start as `npm start` does with no DATABASE_URL: the demo data instead of the test fixture. */
    demo?: boolean;
    /** Demo mode: this SQLite file (which outlives the server) instead of one in the test's folder. */
    databaseFile?: string;
    /** Demo mode: the admin key to issue instead of a random one. */
    demoApiKey?: string;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-http-"));
  // Demo mode runs on SQLite only (it needs DATABASE_URL unset), so its file goes to the test's folder.
  const created = options.demo ? null : await createTestDatabaseLocation();
  const databaseUrl = created?.url ?? options.databaseFile ?? join(dir, "test.db");
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: "https://invites.example.test",
    LOG_LEVEL: "silent",
    ...options.env,
  });
  // Demo mode is decided by DATABASE_URL being unset; the file still goes to the test's own folder.
  const effective = options.demo ? { ...config, databaseUrlSet: false } : config;
  let clock = T0;
  const tokens: string[] = [];
  let counter = 0;
  const server = await startServer(effective, createLogger(config.logLevel), {
    now: options.clock === false ? undefined : () => clock,
    generateToken: () => {
      const token = `http-token-${++counter}-${"y".repeat(32)}`;
      tokens.push(token);
      return token;
    },
    generateApiKey: options.demoApiKey === undefined ? undefined : () => options.demoApiKey!,
    // Without SMTP_URL the worker writes .eml files: keep them in the test's folder, not the project's.
    mail: { mailDir: join(dir, "mail"), ...options.mail },
    webhooks: options.webhooks,
  });
  if (!options.demo) await loadTestFixture(server.database);
  return {
    url: server.url,
    server,
    databaseUrl,
    tokens,
    advance: (ms) => {
      clock += ms;
    },
    async close() {
      await server.close();
      await created?.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
