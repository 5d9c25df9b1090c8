import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterEach, expect, it } from "vitest";
import { migrationsFolders, projectRoot } from "../../src/paths.js";
import { SqliteDatabase } from "../../src/db/sqlite/sqlite-database.js";
import { DeliveryWorker } from "../../src/mail/delivery-worker.js";
import { createMailTransport } from "../../src/mail/mail-transport.js";
import { createHarness, KEYS, type Harness } from "../support/harness.js";

const run = promisify(execFile);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-files-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

it("creates the database, its WAL files and the folders above it for its owner only", async () => {
  const file = join(tempDir(), "nested", "deeper", "app.db");
  const database = SqliteDatabase.open(file);
  cleanups.push(() => database.close());
  await database.migrate();

  expect(mode(file)).toBe(0o600);
  expect(mode(`${file}-wal`)).toBe(0o600);
  expect(mode(`${file}-shm`)).toBe(0o600);
  expect(mode(join(file, ".."))).toBe(0o700);
  expect(mode(join(file, "..", ".."))).toBe(0o700);
});

it("leaves no trace of a delivered email's token in the file once its body is purged", async () => {
  const h: Harness = await createHarness({ cooldownSeconds: 0 });
  cleanups.push(() => h.dispose());
  const result = await h.container.service.resendInvitation(h.call(KEYS.acmeAdmin), { invitationId: "9001" });
  expect(result.kind).toBe("ResendInvitationSuccess");
  const token = h.tokens.at(-1)!;
  const database = h.db.database as SqliteDatabase;
  const fileHolds = (text: string) => {
    // Everything written so far goes into the file, and the WAL is emptied.
    database.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    return readFileSync(database.file).includes(text);
  };
  // Queued, the email's body holds the link.
  expect(fileHolds(token)).toBe(true);
  const worker = new DeliveryWorker(
    {
      store: h.container.store,
      transport: createMailTransport({ smtpUrl: null, mailDir: tempDir() }),
      mailFrom: "Invitations <no-reply@invites.example.test>",
      now: () => h.now(),
      logger: pino({ level: "silent" }),
    },
    {},
  );
  expect((await worker.runOnce()).map((outcome) => outcome.kind)).toEqual(["sent"]);
  await worker.stop();

  expect(fileHolds(token)).toBe(false);
});

it("lets several processes migrate one fresh file at once, each migration applied exactly once", async () => {
  const file = join(tempDir(), "fresh.db");
  const cli = join(projectRoot, "src", "cli", "main.ts");
  const results = await Promise.all(
    Array.from({ length: 6 }, () =>
      run(process.execPath, ["--import", "tsx", cli, "migrate"], {
        cwd: projectRoot,
        env: { ...process.env, DATABASE_URL: file },
      }).then(
        (r) => ({
          code: 0,
          applied: (JSON.parse(r.stdout) as { migrationsApplied: number }).migrationsApplied,
        }),
        (error: { code: number; stderr: string }) => ({
          code: error.code,
          applied: -1,
          stderr: error.stderr,
        }),
      ),
    ),
  );

  expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
  const shipped = (
    JSON.parse(readFileSync(join(migrationsFolders.sqlite, "meta", "_journal.json"), "utf8")) as {
      entries: unknown[];
    }
  ).entries.length;
  // One process applied them all; the others found nothing left to do.
  expect(results.map((r) => r.applied).sort()).toEqual([0, 0, 0, 0, 0, shipped]);
  const database = SqliteDatabase.open(file);
  cleanups.push(() => database.close());
  expect(await database.query("SELECT count(*) AS n FROM __drizzle_migrations")).toEqual([{ n: shipped }]);
}, 60_000);
