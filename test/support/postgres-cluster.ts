/**
 * Global setup of the `postgres` test project (vitest.config.ts): a PostgreSQL server for the whole run, and a
 * database with every migration of `drizzle/pg` applied, which each test file copies (test-database.ts).
 *
 * - `TEST_DATABASE_URL` set (e.g. `postgres://postgres@127.0.0.1:5432/postgres`, a role that may CREATE DATABASE):
 *   that server is used; the template is `migrated_<random>`, dropped at the end.
 * - Unset: a throwaway cluster (Debian's PostgreSQL 15 in /usr/lib/postgresql/15/bin, or `PG_BIN`) in a temp
 *   folder on a free loopback port, tuned for speed (no fsync), run as the `postgres` user when we are root
 *   (initdb refuses root). The template is `migrated`. Teardown stops it (`-m immediate`) and deletes the folder;
 *   a watchdog process does the same if this process dies without tearing down (SIGKILL, crash).
 *
 * Provides `postgresAdminUrl` (the `postgres` database of that server) and `postgresTemplate` (the template's name).
 */
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type { TestProject } from "vitest/node";
import { migrationsFolders } from "../../src/paths.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the server's `postgres` database, as a role that may create and drop databases. */
    postgresAdminUrl: string;
    /** The migrated database that test databases are created from (`CREATE DATABASE … TEMPLATE …`). */
    postgresTemplate: string;
  }
}

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const external = process.env.TEST_DATABASE_URL;
  const cluster = external ? null : await startCluster();
  const adminUrl = external ?? cluster!.url;
  const template = external ? `migrated_${randomBytes(6).toString("hex")}` : "migrated";
  try {
    await createTemplate(adminUrl, template);
  } catch (error) {
    cluster?.stop();
    throw error;
  }
  project.provide("postgresAdminUrl", adminUrl);
  project.provide("postgresTemplate", template);
  if (process.env.TEST_PG_TIMINGS) {
    console.error(
      `postgres test server ready in ${Math.round(performance.now() - started)} ms (${redact(adminUrl)})`,
    );
  }
  return async () => {
    if (cluster) cluster.stop();
    else await dropTemplate(adminUrl, template);
  };
}

interface Cluster {
  readonly url: string;
  stop(): void;
}

async function startCluster(): Promise<Cluster> {
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(join(PG_BIN, tool))) {
      throw new Error(
        `PostgreSQL tests need ${join(PG_BIN, tool)} (Debian: apt-get install -y postgresql), ` +
          `or TEST_DATABASE_URL pointing at a server where this role may create databases.`,
      );
    }
  }
  const asRoot = userInfo().uid === 0;
  // As root, every server command runs as `postgres`, which must own the folder (and can reach it: /tmp is 1777).
  const as = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", join(PG_BIN, tool), ...args]] : [join(PG_BIN, tool), args];
  const run = (tool: string, args: string[]) => {
    const [command, argv] = as(tool, args);
    try {
      execFileSync(command, argv, { stdio: "pipe" });
    } catch (error) {
      throw withOutput(error);
    }
  };

  const dir = mkdtempSync(join(tmpdir(), "invitation-api-pg-"));
  if (asRoot) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const data = join(dir, "data");
  let running = false;
  let watchdog: ReturnType<typeof spawn> | null = null;
  const [stopCommand, stopArgs] = as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);

  const stop = () => {
    process.off("exit", stop);
    if (running) {
      running = false;
      try {
        execFileSync(stopCommand, stopArgs, { stdio: "pipe" });
      } catch {
        // Already gone: nothing to stop.
      }
    }
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(watchdog.pid, "SIGTERM");
      } catch {
        // The watchdog has exited already.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A normal exit without teardown (an error in another global setup, process.exit) still stops the server.
  process.on("exit", stop);

  try {
    run("initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ]);
    const port = await startOnFreePort((port) => {
      const options =
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ` +
        `-c full_page_writes=off -c max_connections=200`;
      run("pg_ctl", ["-D", data, "-w", "-t", "30", "-l", join(dir, "server.log"), "-o", options, "start"]);
      running = true;
    });
    watchdog = startWatchdog(stopCommand, stopArgs, dir);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** Starts the server on a port that was free a moment ago; tries again when another process took it meanwhile. */
async function startOnFreePort(start: (port: number) => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    try {
      start(port);
      return port;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A detached shell that outlives us: once our process is gone (even by SIGKILL) it stops the server and deletes
 * its folder. Teardown kills it first, so it does nothing on a normal run.
 */
function startWatchdog(stopCommand: string, stopArgs: string[], dir: string) {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const script =
    `trap 'exit 0' TERM; while kill -0 ${process.pid} 2>/dev/null; do sleep 1 & wait $!; done; ` +
    `${[stopCommand, ...stopArgs].map(quote).join(" ")} >/dev/null 2>&1; rm -rf ${quote(dir)}`;
  const child = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  child.unref();
  return child;
}

async function createTemplate(adminUrl: string, template: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${template}"`);
  });
  await withClient(databaseUrl(adminUrl, template), async (client) => {
    await migrate(drizzle(client), { migrationsFolder: migrationsFolders.postgres });
  });
  // No connections to the template from now on: CREATE DATABASE … TEMPLATE fails while anyone is connected to it.
  await withClient(adminUrl, (admin) =>
    admin.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  );
}

async function dropTemplate(adminUrl: string, template: string): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The same server and credentials, another database. */
function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = "/" + encodeURIComponent(database);
  return url.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}
function gidOf(user: string): number {
  return Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
}

/** execFileSync's error message omits the tool's own output, which says what went wrong. */
function withOutput(error: unknown): unknown {
  if (error instanceof Error && "stderr" in error) {
    const output = String((error as { stderr: unknown }).stderr ?? "").trim();
    if (output) error.message += "\n" + output;
  }
  return error;
}
