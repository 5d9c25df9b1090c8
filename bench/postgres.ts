// A PostgreSQL server for one benchmark run, and the databases on it.
//
// - BENCH_DATABASE_URL set (e.g. postgres://postgres@127.0.0.1:5432/postgres, a role that may CREATE DATABASE):
//   that server is used; every database the run creates is named `bench_<random>_…` and dropped at the end.
// - Unset: a throwaway PostgreSQL 15 cluster (Debian's /usr/lib/postgresql/15/bin, or PG_BIN) in a temporary
//   folder on a free loopback port, started as test/support/postgres-cluster.ts starts the test suite's (as the
//   `postgres` user when we are root, no fsync), plus pg_stat_statements, loaded at start so the run can count
//   the statements of a resend. Stopping it (`-m immediate`) deletes the folder; a watchdog process does the
//   same if this process dies without stopping it.
//
// (test/support/postgres-cluster.ts exports only vitest's global setup, so its cluster code is not reusable
// from here; this is the same recipe, with the benchmark's settings.)
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./processes.js";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface PostgresServer {
  /** The server's `postgres` database, as a role that may create and drop databases. */
  readonly adminUrl: string;
  /** Whether `pg_stat_statements` can be queried (preloaded by our cluster; maybe not on BENCH_DATABASE_URL). */
  readonly statementStats: boolean;
  /** Describes the server for the report. */
  readonly description: string;
  /** A database name unique to this run. */
  databaseName(suffix: string): string;
  /** Drops this run's databases (an external server), or stops the cluster and deletes its folder. */
  stop(): Promise<void>;
}

/** The server named by BENCH_DATABASE_URL, or a throwaway cluster. */
export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.BENCH_DATABASE_URL?.trim();
  if (external) return useExternal(external);
  return startCluster();
}

async function useExternal(adminUrl: string): Promise<PostgresServer> {
  const prefix = `bench_${randomBytes(4).toString("hex")}`;
  const created: string[] = [];
  const statementStats = await withClient(adminUrl, async (client) => {
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      await client.query("SELECT 1 FROM pg_stat_statements LIMIT 1");
      return true;
    } catch {
      return false;
    }
  });
  const version = await serverVersion(adminUrl);
  return {
    adminUrl,
    statementStats,
    description: `PostgreSQL ${version} (BENCH_DATABASE_URL)`,
    databaseName(suffix) {
      const name = `${prefix}_${suffix}`;
      created.push(name);
      return name;
    },
    async stop() {
      await withClient(adminUrl, async (client) => {
        for (const name of created.reverse()) {
          await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE false`).catch(() => {});
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      });
    },
  };
}

async function startCluster(): Promise<PostgresServer> {
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(join(PG_BIN, tool))) {
      throw new Error(
        `--database postgres needs ${join(PG_BIN, tool)} (Debian: apt-get install -y postgresql), ` +
          `or BENCH_DATABASE_URL pointing at a server where this role may create databases.`,
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

  const dir = mkdtempSync(join(tmpdir(), "invitation-bench-pg-"));
  if (asRoot) chownSync(dir, idOf("-u"), idOf("-g"));
  const data = join(dir, "data");
  let running = false;
  let watchdog: ReturnType<typeof spawn> | null = null;
  const [stopCommand, stopArgs] = as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  const stopNow = () => {
    process.off("exit", stopNow);
    if (running) {
      running = false;
      try {
        execFileSync(stopCommand, stopArgs, { stdio: "pipe" });
      } catch {
        // Already gone.
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
  process.on("exit", stopNow);

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
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      // The test cluster's settings (durability off: the SQLite side runs with synchronous = NORMAL), enough
      // connections for three instances' pools and three floors', and pg_stat_statements for the counts.
      const options =
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ` +
        `-c full_page_writes=off -c max_connections=200 -c shared_preload_libraries=pg_stat_statements ` +
        `-c pg_stat_statements.track=top -c pg_stat_statements.track_utility=on`;
      try {
        run("pg_ctl", ["-D", data, "-w", "-t", "30", "-l", join(dir, "server.log"), "-o", options, "start"]);
        running = true;
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    watchdog = startWatchdog(stopCommand, stopArgs, dir);
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await withClient(adminUrl, (client) => client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"));
    const version = await serverVersion(adminUrl);
    return {
      adminUrl,
      statementStats: true,
      description: `PostgreSQL ${version} (throwaway cluster: fsync, synchronous_commit, full_page_writes off)`,
      databaseName: (suffix) => `bench_${suffix}`,
      stop: async () => stopNow(),
    };
  } catch (error) {
    stopNow();
    throw error;
  }
}

/**
 * A detached shell that outlives us: once our process is gone (even by SIGKILL) it stops the server and deletes
 * its folder. stop() kills it first, so it does nothing on a normal run.
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

/** Creates a database, empty or as a copy of `template` (which nobody may be connected to). */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
  });
}

/** The same server and credentials, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = "/" + encodeURIComponent(database);
  return url.toString();
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One statement's share of a measured stretch (pg_stat_statements, top-level statements). */
export interface StatementStat {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
}

/** Forgets what pg_stat_statements counted so far (every database). */
export async function resetStatementStats(adminUrl: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query("SELECT pg_stat_statements_reset()"));
}

/** What pg_stat_statements counted in one database since the last reset, busiest first. */
export async function statementStats(adminUrl: string, database: string): Promise<StatementStat[]> {
  return withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ query: string; calls: string; total: number; mean: number }>(
      `SELECT s.query, s.calls, s.total_exec_time AS total, s.mean_exec_time AS mean
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = $1
        ORDER BY s.total_exec_time DESC`,
      [database],
    );
    return rows.map((row) => ({
      query: row.query,
      calls: Number(row.calls),
      totalMs: row.total,
      meanMs: row.mean,
    }));
  });
}

/** Committed and rolled-back transactions of one database so far (pg_stat_database, updated at commit). */
export async function transactionCount(adminUrl: string, database: string): Promise<number> {
  return withClient(adminUrl, async (client) => {
    // The statistics a backend sends are at most ~1 s old; a snapshot cleared first reads the latest.
    await client.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await client.query<{ n: string }>(
      "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1",
      [database],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

async function serverVersion(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return rows[0]?.v.split(" ")[0] ?? "?";
  });
}

function idOf(flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
}

/** execFileSync's error message omits the tool's own output, which says what went wrong. */
function withOutput(error: unknown): unknown {
  if (error instanceof Error && "stderr" in error) {
    const output = String((error as { stderr: unknown }).stderr ?? "").trim();
    if (output) error.message += "\n" + output;
  }
  return error;
}
