// npm run bench [-- --invitations 10000,1000000 --connections 16 --rounds 3 --seconds 8 --warmup 8
//                   --targets floor,graphql,rest --mail queue|files --floor-checkpoints background|inline
//                   --floor strict|mirror
//                   --database sqlite|postgres --instances N --pool-size 10 --count-resends 1000
//                   --profile DIR --keep]
//
// Seeds each size, starts the real server (built, NODE_ENV=production) and the bare floor on copies of the same
// database, for every size side by side, warms them up, then loads every (size, target) pair in interleaved
// rounds with autocannon, every request resending a different invitation. Prints markdown tables; exits 1 on
// any failed request. Besides req/s, each interval reads the CPU time its target's processes used
// (bench/cpu-time.ts): CPU µs per request and its ratio to the floor's move less than req/s when other work
// shares the machine.
//
// --database sqlite (default): each process on its own copy of the seeded file; the floor is bench/floor.ts.
// --database postgres: a throwaway PostgreSQL 15 cluster (bench/postgres.ts; BENCH_DATABASE_URL names a server
//   to use instead); the seeded database is copied (CREATE DATABASE … TEMPLATE) for the servers and for the
//   floors; `--instances N` server processes share the servers' copy and N floor processes (bench/floor-pg.ts)
//   the floors', each with a pool of `--pool-size` connections; a target's load is split round-robin over its
//   instances (bench/load.ts). Afterwards `--count-resends` resends go through each target alone, counted by
//   pg_stat_statements: statements (round trips) and transactions per resend.
// --mail queue (default): emails stay queued in the outbox (bench/serve.mjs), as the floor leaves them.
// --mail files: dist/src/main.js as is; its worker writes .eml files into the run's temporary folder, and
//   each interval waits for the previous one's deliveries to finish first.
// --floor-checkpoints (default background, SQLite only): the floor checkpoints its WAL in a background thread,
//   as the server does once busy, so the ratios compare the layers alone; inline is SQLite's default, a slower
//   floor.
// --floor strict|mirror (default strict, SQLite only): strict is the least work a correct resend needs, on its
//   own minimal schema (bench/strict-schema.ts), so the project's schema and storage count against the server;
//   mirror runs the server's own statements on the project's schema, so the ratio measures the layers alone.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import type { DatabaseLocation } from "../src/db/database-url.js";
import { projectRoot } from "../src/paths.js";
import { quantile, runInterval, sendResends, type Failure, type Interval } from "./load.js";
import { waitForDeliveries } from "./outbox.js";
import {
  createDatabase,
  databaseUrl,
  resetStatementStats,
  startPostgres,
  statementStats,
  transactionCount,
  withClient,
  type PostgresServer,
  type StatementStat,
} from "./postgres.js";
import { freePort, residentMiB, startChild, stopChild, type Child } from "./processes.js";
import {
  resultsTable,
  roundTripTable,
  statementTable,
  verdicts,
  verdictTable,
  type RoundTrips,
  type SizeRun,
  type TargetFigures,
} from "./report.js";
import { seedBenchDatabase } from "./seed.js";
import {
  floorTarget,
  graphqlTarget,
  InvitationIds,
  restTarget,
  type Target,
  type TargetName,
} from "./targets.js";

interface Options {
  readonly sizes: number[];
  readonly connections: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly targets: TargetName[];
  readonly mail: "queue" | "files";
  readonly floorCheckpoints: "inline" | "background";
  readonly floor: "strict" | "mirror";
  readonly database: "sqlite" | "postgres";
  readonly instances: number;
  readonly poolSize: number;
  /** PostgreSQL: resends per target counted by pg_stat_statements afterwards (0: none). */
  readonly countResends: number;
  readonly profileDir: string | null;
  readonly keep: boolean;
}

const TARGET_NAMES: readonly TargetName[] = ["floor", "graphql", "rest"];
/** Children run TypeScript through tsx, resolved here: their working folder is outside the project. */
const TSX = ["--import", import.meta.resolve("tsx")];

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      invitations: { type: "string", default: "10000" },
      connections: { type: "string", default: "16" },
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "8" },
      warmup: { type: "string", default: "8" },
      targets: { type: "string", default: TARGET_NAMES.join(",") },
      mail: { type: "string", default: "queue" },
      "floor-checkpoints": { type: "string", default: "background" },
      floor: { type: "string", default: "strict" },
      database: { type: "string", default: "sqlite" },
      instances: { type: "string", default: "1" },
      "pool-size": { type: "string", default: "10" },
      "count-resends": { type: "string", default: "1000" },
      profile: { type: "string" },
      keep: { type: "boolean", default: false },
    },
    strict: true,
  });
  const positive = (flag: string, raw: string) => {
    const value = Number(raw.replaceAll("_", ""));
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${flag}: must be a positive integer (got ${raw})`);
    return value;
  };
  const targets = values.targets.split(",").map((name) => {
    const target = TARGET_NAMES.find((known) => known === name.trim());
    if (!target) throw new Error(`--targets: unknown target "${name}" (known: ${TARGET_NAMES.join(", ")})`);
    return target;
  });
  const mail = values.mail;
  if (mail !== "queue" && mail !== "files") throw new Error(`--mail: must be queue or files (got ${mail})`);
  const floorCheckpoints = values["floor-checkpoints"];
  if (floorCheckpoints !== "inline" && floorCheckpoints !== "background") {
    throw new Error(`--floor-checkpoints: must be inline or background (got ${floorCheckpoints})`);
  }
  const floor = values.floor;
  if (floor !== "strict" && floor !== "mirror")
    throw new Error(`--floor: must be strict or mirror (got ${floor})`);
  const database = values.database;
  if (database !== "sqlite" && database !== "postgres")
    throw new Error(`--database: must be sqlite or postgres (got ${database})`);
  const instances = positive("instances", values.instances);
  if (database === "sqlite" && instances !== 1)
    throw new Error("--instances: only with --database postgres (SQLite runs one server per file)");
  const connections = positive("connections", values.connections);
  if (connections < instances) throw new Error("--connections: at least one per instance");
  const countResends = Number(values["count-resends"]);
  if (!Number.isInteger(countResends) || countResends < 0)
    throw new Error(`--count-resends: must be 0 or more (got ${values["count-resends"]})`);
  return {
    sizes: values.invitations.split(",").map((raw) => positive("invitations", raw)),
    connections,
    rounds: positive("rounds", values.rounds),
    seconds: positive("seconds", values.seconds),
    warmup: positive("warmup", values.warmup),
    targets,
    mail,
    floorCheckpoints,
    floor,
    database,
    instances,
    poolSize: positive("pool-size", values["pool-size"]),
    countResends,
    profileDir: values.profile === undefined ? null : resolve(values.profile),
    keep: values.keep,
  };
}

/** The server as a deployer runs it, tuned only so the benchmark is not refused by design. */
function serverEnv(location: DatabaseLocation, port: number, options: Options): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: location.dialect === "sqlite" ? location.file : location.url,
    DATABASE_POOL_SIZE: String(options.poolSize),
    RESEND_COOLDOWN_SECONDS: "0",
    // Every request is a legitimate send; the abuse caps would refuse them after a few hundred.
    MAX_EMAILS_PER_TENANT_PER_HOUR: "1000000000",
    MAX_EMAILS_PER_RECIPIENT_PER_DAY: "1000000000",
    // Likewise the per-key request budget; kept on (not 0) so its per-request cost is measured.
    RATE_LIMIT_PER_MINUTE: "1000000000",
    LOG_LEVEL: "warn",
  };
  delete env.SMTP_URL;
  delete env.GRAPHQL_IDE;
  return env;
}

/** A seeded database of one size, copied for each side (server, floor). */
interface Copies {
  readonly server: DatabaseLocation;
  readonly floor: DatabaseLocation;
  /** PostgreSQL: the copies' database names. */
  readonly serverDatabase: string | null;
  readonly floorDatabase: string | null;
  readonly seedSeconds: number;
}

/**
 * Seeds `n` invitations through the project's loader, then copies the result: SQLite, the file; PostgreSQL, the
 * database (CREATE DATABASE … TEMPLATE, which copies its statistics and visibility map too).
 */
async function seedCopies(dir: string, n: number, postgres: PostgresServer | null): Promise<Copies> {
  mkdirSync(join(dir, "server"));
  mkdirSync(join(dir, "floor"));
  if (postgres === null) {
    const seedFile = join(dir, "seed.db");
    const seed = await seedBenchDatabase({ dialect: "sqlite", file: seedFile }, n);
    const copy = (side: string): DatabaseLocation => {
      const file = join(dir, side, "bench.db");
      copyFileSync(seedFile, file);
      return { dialect: "sqlite", file };
    };
    return {
      server: copy("server"),
      floor: copy("floor"),
      serverDatabase: null,
      floorDatabase: null,
      seedSeconds: seed.seconds,
    };
  }
  const seedName = postgres.databaseName(`seed_${n}`);
  await createDatabase(postgres.adminUrl, seedName);
  const seed = await seedBenchDatabase(
    { dialect: "postgres", url: databaseUrl(postgres.adminUrl, seedName) },
    n,
  );
  // Fresh statistics and an all-visible map, as a database some time in use would have.
  await withClient(databaseUrl(postgres.adminUrl, seedName), (client) => client.query("VACUUM ANALYZE"));
  const copy = async (side: string) => {
    const name = postgres.databaseName(`${side}_${n}`);
    await createDatabase(postgres.adminUrl, name, seedName);
    return name;
  };
  const serverDatabase = await copy("server");
  const floorDatabase = await copy("floor");
  return {
    server: { dialect: "postgres", url: databaseUrl(postgres.adminUrl, serverDatabase) },
    floor: { dialect: "postgres", url: databaseUrl(postgres.adminUrl, floorDatabase) },
    serverDatabase,
    floorDatabase,
    seedSeconds: seed.seconds,
  };
}

/** The processes under test: the server's instances and the floor's, each side on its own copy. */
interface Started {
  readonly servers: Child[];
  readonly floors: Child[];
  readonly targets: Target[];
}

async function startTargets(dir: string, n: number, copies: Copies, options: Options): Promise<Started> {
  const servers: Child[] = [];
  const floors: Child[] = [];
  const name = (side: string, i: number) => (options.instances === 1 ? side : `${side}-${i}`);
  const profile = (name: string) =>
    options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(options.profileDir, name)}`] : [];
  const entry = inProject(options.mail === "files" ? "dist/src/main.js" : "bench/serve.mjs");
  try {
    for (let i = 1; i <= options.instances; i++) {
      const port = await freePort();
      const server = await startChild(name("server", i), [...profile(name("server", i)), entry], {
        port,
        readyPath: "/readyz",
        // Without SMTP_URL the mail worker writes .eml files under ./data/mail: here, a folder deleted afterwards.
        cwd: join(dir, "server"),
        env: serverEnv(copies.server, port, options),
      });
      servers.push(server);
    }
    for (let i = 1; i <= options.instances; i++) {
      const port = await freePort();
      const floorArgs =
        copies.floor.dialect === "sqlite"
          ? [
              inProject("bench/floor.ts"),
              copies.floor.file,
              String(port),
              options.floorCheckpoints,
              options.floor,
            ]
          : [inProject("bench/floor-pg.ts"), copies.floor.url, String(port), String(options.poolSize)];
      const floor = await startChild(name("floor", i), [...profile(name("floor", i)), ...TSX, ...floorArgs], {
        port,
        readyPath: "/healthz",
        cwd: join(dir, "floor"),
        env: process.env,
      });
      floors.push(floor);
    }
  } catch (error) {
    for (const child of [...servers, ...floors]) await stopChild(child);
    throw error;
  }

  const serverIds = new InvitationIds(n);
  const serverUrls = servers.map((child) => child.url);
  const floorLabel =
    options.database === "postgres"
      ? "bare floor (node:http + pg, one transaction)"
      : options.floor === "strict"
        ? "strict floor (node:http + better-sqlite3, minimal schema)"
        : "mirror floor (node:http + better-sqlite3, our schema and statements)";
  const all: Record<TargetName, () => Target> = {
    floor: () =>
      floorTarget(
        floors.map((child) => child.url),
        new InvitationIds(n),
        floorLabel,
      ),
    graphql: () => graphqlTarget(serverUrls, serverIds),
    rest: () => restTarget(serverUrls, serverIds),
  };
  return { servers, floors, targets: options.targets.map((name) => all[name]()) };
}

function inProject(path: string): string {
  return join(projectRoot, path);
}

/** One database size: its seeded copies, its servers and floors, and what they measured. */
interface Size {
  readonly invitations: number;
  readonly dir: string;
  readonly copies: Copies;
  readonly started: Started;
  readonly serverRssAtStartMiB: number;
  readonly measured: Map<TargetName, Interval[]>;
}

/** Seeds one size and starts its processes; cleans up after itself if that fails. */
async function prepareSize(n: number, options: Options, postgres: PostgresServer | null): Promise<Size> {
  const dir = mkdtempSync(join(tmpdir(), `invitation-bench-${n}-`));
  let copies: Copies;
  let started: Started;
  try {
    log(`seeding ${n.toLocaleString("en-US")} invitations (${options.database})...`);
    copies = await seedCopies(dir, n, postgres);
    log(`seeded in ${copies.seedSeconds.toFixed(1)} s`);
    started = await startTargets(dir, n, copies, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    invitations: n,
    dir,
    copies,
    started,
    serverRssAtStartMiB: largestRss(started.servers),
    measured: new Map(),
  };
}

/** What the benchmark found besides the load figures (PostgreSQL). */
interface Extras {
  /** Per size: the busiest statements of the measured rounds, server's database and floor's. */
  readonly loadStatements: { invitations: number; side: string; stats: StatementStat[] }[];
  readonly roundTrips: RoundTrips[];
}

/**
 * Every size's processes run side by side, and each round loads every (size, target) pair in turn: the growth
 * ratio then compares intervals spread over the same minutes, not a first run with a later one that a busier
 * machine may have slowed down. Only the process under load works; the others are idle meanwhile.
 */
async function benchSizes(
  options: Options,
  failures: Map<string, Failure[]>,
  postgres: PostgresServer | null,
): Promise<{ runs: SizeRun[]; extras: Extras }> {
  const sizes: Size[] = [];
  const extras: Extras = { loadStatements: [], roundTrips: [] };
  try {
    for (const n of options.sizes) sizes.push(await prepareSize(n, options, postgres));
    const pairs = sizes.flatMap((size) => size.started.targets.map((target) => ({ size, target })));
    // Before each interval: the previous one's work is finished, and its writes are on disk, so neither is
    // paid for by the next target.
    const settle = async (size: Size) => {
      if (options.mail === "files") {
        const waited = await waitForDeliveries(size.copies.server, 600);
        if (waited > 1) log(`waited ${waited.toFixed(0)} s for the mail worker's backlog`);
      }
      spawnSync("sync");
    };
    const record = (size: Size, target: Target, interval: Interval) => {
      if (interval.failures.length === 0) return;
      const key = `${size.invitations} ${target.name}`;
      failures.set(key, [...(failures.get(key) ?? []), ...interval.failures]);
    };
    const label = (size: Size, target: Target) =>
      `${size.invitations.toLocaleString("en-US")} ${target.name}`;

    for (const { size, target } of pairs) {
      log(`warm-up: ${label(size, target)} for ${options.warmup} s`);
      await settle(size);
      record(
        size,
        target,
        await runInterval(target, options.connections, options.warmup, pidsOf(size, target)),
      );
    }
    const countStatements = postgres?.statementStats === true;
    if (countStatements) await resetStatementStats(postgres.adminUrl);
    for (let round = 0; round < options.rounds; round++) {
      // Each round starts with the next pair, so none always runs first (or after the same one).
      for (let i = 0; i < pairs.length; i++) {
        const { size, target } = pairs[(round + i) % pairs.length]!;
        await settle(size);
        const interval = await runInterval(
          target,
          options.connections,
          options.seconds,
          pidsOf(size, target),
        );
        record(size, target, interval);
        size.measured.set(target.name, [...(size.measured.get(target.name) ?? []), interval]);
        log(
          `round ${round + 1}/${options.rounds} ${label(size, target)}: ` +
            `${(interval.succeeded / interval.seconds).toFixed(0)} req/s, ${interval.failures.length} failed`,
        );
      }
    }
    const runs = sizes.map((size) => ({
      invitations: size.invitations,
      seedSeconds: size.copies.seedSeconds,
      serverRssAtStartMiB: size.serverRssAtStartMiB,
      serverRssMiB: largestRss(size.started.servers),
      floorRssMiB: largestRss(size.started.floors),
      targets: size.started.targets.map((target) => figures(target, size.measured.get(target.name) ?? [])),
    }));
    if (countStatements) {
      for (const size of sizes) {
        for (const [side, database] of [
          ["server", size.copies.serverDatabase],
          ["floor", size.copies.floorDatabase],
        ] as const) {
          const stats = await statementStats(postgres.adminUrl, database!);
          extras.loadStatements.push({ invitations: size.invitations, side, stats });
        }
      }
      if (options.countResends > 0) {
        for (const size of sizes) extras.roundTrips.push(...(await countRoundTrips(size, postgres, options)));
      }
    } else if (postgres) {
      log("pg_stat_statements is not available on this server: no statement counts");
    }
    return { runs, extras };
  } finally {
    for (const size of sizes) {
      for (const child of [...size.started.servers, ...size.started.floors]) await stopChild(child);
      if (!options.keep) rmSync(size.dir, { recursive: true, force: true });
      else log(`kept ${size.dir}`);
    }
  }
}

/**
 * PostgreSQL's backends publish their transaction counts when idle, at most every 10 s (PGSTAT_IDLE_INTERVAL):
 * waiting this long after the last statement makes pg_stat_database current.
 */
const STATS_FLUSH_MS = 11_000;

/**
 * Sends `--count-resends` resends through each target alone (4 at a time, over its instances) and reads what
 * they cost its database: statements executed (pg_stat_statements, top level, BEGIN and COMMIT included) and
 * transactions (pg_stat_database). node-postgres sends one statement per round trip and waits for its answer
 * before the next, so statements are round trips.
 */
async function countRoundTrips(
  size: Size,
  postgres: PostgresServer,
  options: Options,
): Promise<RoundTrips[]> {
  const out: RoundTrips[] = [];
  const count = options.countResends;
  log(`counting statements: ${count} resends per target (${size.invitations.toLocaleString("en-US")})`);
  await sleep(STATS_FLUSH_MS);
  for (const target of size.started.targets) {
    const database = (target.name === "floor" ? size.copies.floorDatabase : size.copies.serverDatabase)!;
    const before = await transactionCount(postgres.adminUrl, database);
    await resetStatementStats(postgres.adminUrl);
    await sendResends(target, count, Math.min(4, options.connections));
    const stats = await statementStats(postgres.adminUrl, database);
    await sleep(STATS_FLUSH_MS);
    const after = await transactionCount(postgres.adminUrl, database);
    out.push({
      invitations: size.invitations,
      label: target.label,
      resends: count,
      statements: stats.reduce((sum, s) => sum + s.calls, 0) / count,
      transactions: (after - before) / count,
      breakdown: stats,
    });
  }
  return out;
}

function largestRss(children: readonly Child[]): number {
  return Math.max(...children.map(residentMiB));
}

/** The processes that serve a target: the floor's, or the servers' (GraphQL and REST alike). */
function pidsOf(size: Size, target: Target): number[] {
  const children = target.name === "floor" ? size.started.floors : size.started.servers;
  return children.map((child) => child.process.pid!);
}

function figures(target: Target, intervals: readonly Interval[]): TargetFigures {
  const succeeded = intervals.reduce((sum, i) => sum + i.succeeded, 0);
  const cpu = intervals.reduce((sum, i) => sum + i.cpuSeconds, 0);
  const seconds = intervals.reduce((sum, i) => sum + i.seconds, 0);
  const latencies = intervals.flatMap((i) => i.latencies);
  return {
    name: target.name,
    label: target.label,
    requestsPerSecond: succeeded / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    requests: succeeded,
    cpuMicrosPerRequest: (cpu * 1e6) / succeeded,
  };
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const failures = new Map<string, Failure[]>();
  const postgres = options.database === "postgres" ? await startPostgres() : null;
  let runs: SizeRun[];
  let extras: Extras;
  try {
    if (postgres) log(`database: ${postgres.description}`);
    ({ runs, extras } = await benchSizes(options, failures, postgres));
  } finally {
    await postgres?.stop();
  }

  const processes =
    options.instances === 1
      ? "one server process and one floor process"
      : `${options.instances} server processes and ${options.instances} floor processes, load split round-robin`;
  console.log(
    `\n${options.database === "sqlite" ? "SQLite" : postgres!.description}; ${processes}` +
      `${options.database === "postgres" ? `, pools of ${options.poolSize} connections each` : ""}; ` +
      `${options.connections} connections, ${options.rounds} rounds of ${options.seconds} s per target ` +
      `after ${options.warmup} s of warm-up, mail ${options.mail}` +
      `${options.database === "sqlite" ? `, ${options.floor} floor, floor checkpoints ${options.floorCheckpoints}` : ""}; ` +
      `Node ${process.version}\n`,
  );
  console.log(resultsTable(runs));
  console.log();
  for (const run of runs) {
    console.log(
      `${run.invitations.toLocaleString("en-US")} invitations: seeded in ${run.seedSeconds.toFixed(1)} s; ` +
        `server RSS ${run.serverRssAtStartMiB.toFixed(0)} MiB at start, ${run.serverRssMiB.toFixed(0)} MiB after the runs ` +
        `(floor: ${run.floorRssMiB.toFixed(0)} MiB)${options.instances > 1 ? " (largest instance)" : ""}`,
    );
  }
  console.log();
  console.log(verdictTable(verdicts(runs)));
  if (extras.roundTrips.length > 0) {
    console.log("\nStatements (round trips) per resend, each target alone (pg_stat_statements):\n");
    console.log(roundTripTable(extras.roundTrips));
    for (const trips of extras.roundTrips) {
      console.log(`\n${trips.invitations.toLocaleString("en-US")} ${trips.label}, per resend:\n`);
      console.log(statementTable(trips.breakdown, trips.resends));
    }
  }
  for (const { invitations, side, stats } of extras.loadStatements) {
    console.log(
      `\nBusiest statements of the measured rounds, ${side}'s database (${invitations.toLocaleString("en-US")}):\n`,
    );
    console.log(statementTable(stats.slice(0, 8), null));
  }

  if (failures.size === 0) return 0;
  console.error("\nFAILED: some requests did not succeed; the figures above are not valid.");
  for (const [key, list] of failures) {
    const statuses = new Map<string, number>();
    for (const f of list) statuses.set(String(f.status), (statuses.get(String(f.status)) ?? 0) + 1);
    console.error(
      `  ${key}: ${list.length} failed (${[...statuses].map(([s, c]) => `${s}×${c}`).join(", ")})`,
    );
    for (const f of list.filter((f) => f.body !== "").slice(0, 3)) console.error(`    ${f.body}`);
  }
  return 1;
}

process.exitCode = await main();
