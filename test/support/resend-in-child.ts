// Child process for the cross-process concurrency test: opens its own connection to the shared database,
// waits for the common start time, resends invitation 9001 once, and prints the outcome's kind.
import "reflect-metadata";
import { createContainer } from "../../src/container.js";
import { parseDatabaseUrl } from "../../src/db/database-url.js";
import { openDatabase } from "../../src/db/open-database.js";

const [url, startAt] = process.argv.slice(2);
const database = openDatabase(parseDatabaseUrl(url));
const container = createContainer({
  database,
  settings: {
    invitationTtlMs: 3_600_000,
    resendCooldownMs: 60_000,
    publicUrl: "http://localhost",
    emailCaps: { perTenantPerHour: 1000, perRecipientPerDay: 100 },
  },
});
const wait = Number(startAt) - Date.now();
setTimeout(
  async () => {
    const result = await container.service.resendInvitation(
      { credentials: { apiKey: "acme-admin-key-0000000000000001", tenantClaims: [] }, requestId: null },
      { invitationId: "9001" },
    );
    process.stdout.write(result.kind);
    await database.close();
  },
  Math.max(0, wait),
);
