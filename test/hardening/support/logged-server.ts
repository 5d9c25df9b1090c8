import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../../src/config.js";
import { createLogger } from "../../../src/http/logger.js";
import { startServer, type RunningServer } from "../../../src/server.js";
import { createTestDatabaseLocation } from "../../support/test-database.js";
import { loadTestFixture } from "../../support/harness.js";

export interface LoggedServer {
  readonly url: string;
  readonly server: RunningServer;
  /** Every token the server generated. */
  readonly tokens: string[];
  /** Every log line written so far, as written. */
  readonly lines: string[];
  close(): Promise<void>;
}

/** The real server over the test fixture, logging at `trace` into memory instead of stdout. */
export async function startLoggedServer(env: Record<string, string> = {}): Promise<LoggedServer> {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-logs-"));
  const created = await createTestDatabaseLocation();
  const databaseUrl = created.url;
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", DATABASE_URL: databaseUrl, ...env });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const tokens: string[] = [];
  const server = await startServer(config, createLogger("trace", destination), {
    generateToken: () => {
      const token = `logged-token-${tokens.length + 1}-${"z".repeat(32)}`;
      tokens.push(token);
      return token;
    },
    mail: { mailDir: join(dir, "mail") },
  });
  await loadTestFixture(server.database);
  return {
    url: server.url,
    server,
    tokens,
    lines,
    async close() {
      await server.close();
      await created.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
