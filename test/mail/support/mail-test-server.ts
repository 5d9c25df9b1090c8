import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../src/config.js";
import { createLogger } from "../../../src/http/logger.js";
import { startServer, type RunningServer, type StartOptions } from "../../../src/server.js";
import { createTestDatabaseLocation } from "../../support/test-database.js";
import { loadTestFixture, T0 } from "../../support/harness.js";

export interface MailTestServer {
  readonly url: string;
  readonly server: RunningServer;
  /** Its DATABASE_URL: a SQLite file path or a PostgreSQL URL. */
  readonly databaseUrl: string;
  /** Where the file mailbox writes when SMTP_URL is not given. */
  readonly mailDir: string;
  /** Every token the server generated, in order. */
  readonly tokens: string[];
  /** Stops the server (as SIGTERM does) but keeps its files for inspection; safe to call twice. */
  close(): Promise<void>;
  /** Deletes the server's folder and database; call after `close()`. */
  remove(): Promise<void>;
}

/**
 * The real server over a seeded database of the test project's dialect, with the delivery worker tuned through `mail` and its file
 * mailbox in the server's temporary folder (never the project's ./data/mail). The clock is frozen at T0.
 */
export async function startMailTestServer(
  options: { env?: Record<string, string>; mail?: StartOptions["mail"] } = {},
): Promise<MailTestServer> {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-mail-"));
  const created = await createTestDatabaseLocation();
  const databaseUrl = created.url;
  const mailDir = join(dir, "mail");
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: "https://invites.example.test",
    MAIL_FROM: "Invitations <no-reply@invites.example.test>",
    LOG_LEVEL: "silent",
    ...options.env,
  });
  const tokens: string[] = [];
  const server = await startServer(config, createLogger(config.logLevel), {
    now: () => T0,
    generateToken: () => {
      const token = `mail-token-${tokens.length + 1}-${"z".repeat(32)}`;
      tokens.push(token);
      return token;
    },
    mail: { mailDir, ...options.mail },
  });
  await loadTestFixture(server.database);
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    server,
    databaseUrl,
    mailDir,
    tokens,
    close: () => (closing ??= server.close()),
    remove: async () => {
      await created.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
