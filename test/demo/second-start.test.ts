import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { startupBanner } from "../../src/demo-banner.js";
import { projectRoot } from "../../src/paths.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { readme } from "./readme-commands.js";

// `npm start` twice on the same demo database: the first start's key is gone (only its hash is kept), so
// the second says how to issue another, and that command works.

const dir = mkdtempSync(join(tmpdir(), "invitation-api-demo-twice-"));
const databaseFile = join(dir, "invitations.db");
let second: TestServer | undefined;
afterAll(async () => {
  await second?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a second start prints how to issue a key for the demo admin, and that command issues one", async () => {
  const first = await startTestServer({ demo: true, databaseFile });
  expect(startupBanner(first.server, true)).toContain("Admin API key (shown once");
  await first.close();

  second = await startTestServer({ demo: true, databaseFile });
  expect(second.server.demo).toBeNull();
  const banner = startupBanner(second.server, true);
  expect(banner).not.toContain("Admin API key (shown once");
  const command = "npm run --silent cli -- apikey create --user 10 --name demo";
  expect(banner).toContain(`Demo data already loaded for tenant "Acme Procurement" (id 1024)`);
  expect(banner).toContain(`Issue a new key for the demo admin (ada@acme.test, id 10)`);
  expect(banner.split("\n")).toContain(command);
  // The README says the same.
  expect(readme()).toContain(command);

  // What `npm run cli` runs, from the sources: the printed arguments, on the same database.
  const args = command.split(" -- ")[1]!.split(" ");
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", join(projectRoot, "src", "cli", "main.ts"), ...args],
    { cwd: projectRoot, env: { ...process.env, DATABASE_URL: databaseFile }, encoding: "utf8" },
  );
  const { apiKey } = JSON.parse(stdout) as { apiKey: string };
  const response = await fetch(`${second.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: "{ viewer { id email role } }" }),
  });
  expect(await response.json()).toEqual({
    data: { viewer: { id: "10", email: "ada@acme.test", role: "ADMIN" } },
  });
});

it("prints nothing when DATABASE_URL is set (no demo mode)", async () => {
  const server = await startTestServer();
  try {
    expect(server.server.earlierDemo).toBeNull();
    expect(startupBanner(server.server, true)).toBe("");
  } finally {
    await server.close();
  }
});
