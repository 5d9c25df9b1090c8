import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/http/logger.js";
import { projectRoot } from "../src/paths.js";
import { startServer } from "../src/server.js";

// Lints the OpenAPI document the server actually serves (not a copy) with Redocly's recommended rules,
// configured in redocly.yaml. Run by `npm run lint`.

const dir = mkdtempSync(join(tmpdir(), "invitation-api-openapi-lint-"));
let status = 1;
try {
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: join(dir, "lint.db"),
    // The document's `servers` entry: the address `npm start` serves by default.
    PUBLIC_URL: "http://127.0.0.1:4000",
    LOG_LEVEL: "silent",
  });
  const server = await startServer(config, createLogger(config.logLevel), {
    mail: { mailDir: join(dir, "mail") },
  });
  let document: unknown;
  try {
    const response = await fetch(`${server.url}/openapi.json`);
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    document = await response.json();
  } finally {
    await server.close();
  }
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(document, null, 2));
  const redocly = spawnSync(
    join(projectRoot, "node_modules", ".bin", "redocly"),
    ["lint", "--config", join(projectRoot, "redocly.yaml"), file],
    {
      stdio: "inherit",
      // No update check or telemetry: lint must not depend on, or talk to, the network.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  status = redocly.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
