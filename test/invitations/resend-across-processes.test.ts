import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { loadTestFixture, rows } from "../support/harness.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";

const run = promisify(execFile);
let db: TempDatabase | undefined;
afterEach(() => db?.dispose());

it("lets exactly one of several processes resending one invitation at once win", async () => {
  db = await createTempDatabase();
  await loadTestFixture(db.database, Date.now());
  const processes = 6;
  // All children start resending at the same instant, each on its own connection to the database.
  const startAt = Date.now() + 4_000;
  const outcomes = await Promise.all(
    Array.from({ length: processes }, () =>
      run(
        process.execPath,
        ["--import", "tsx", join(projectRoot, "test/support/resend-in-child.ts"), db!.url, String(startAt)],
        {
          cwd: projectRoot,
        },
      ).then((r) => r.stdout.trim()),
    ),
  );
  expect(outcomes.filter((o) => o === "ResendInvitationSuccess")).toHaveLength(1);
  expect(outcomes.filter((o) => o === "ResendRateLimited")).toHaveLength(processes - 1);
  expect(await rows(db, "SELECT count(*) AS n FROM email_outbox WHERE invitation_id = 9001")).toEqual([
    { n: 1 },
  ]);
}, 30_000);
