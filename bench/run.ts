// npm run bench [-- --invitations 10000,1000000 --connections 16 --rounds 3 --seconds 8 --warmup 8
//                   --targets floor,graphql,rest --mail queue|files --floor-checkpoints background|inline
//                   --profile DIR --keep]
//
// Seeds each size, starts the real server (built, NODE_ENV=production) and the bare floor (bench/floor.ts) on
// copies of the same database, for every size side by side, warms them up, then loads every (size, target)
// pair in interleaved rounds with autocannon, every request resending a different invitation. Prints markdown
// tables; exits 1 on any failed request.
//
// --mail queue (default): emails stay queued in the outbox (bench/serve.mjs), as the floor leaves them.
// --mail files: dist/src/main.js as is; its worker writes .eml files into the run's temporary folder, and
//   each interval waits for the previous one's deliveries to finish first.
// --floor-checkpoints (default background): the floor checkpoints its WAL in a background thread, as the server
//   does once busy, so the ratios compare the layers alone; inline is SQLite's default, a slower floor.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../src/paths.js";
import { quantile, runInterval, type Failure, type Interval } from "./load.js";
import { waitForDeliveries } from "./outbox.js";
import { freePort, residentMiB, startChild, stopChild, type Child } from "./processes.js";
import { resultsTable, verdicts, verdictTable, type SizeRun, type TargetFigures } from "./report.js";
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
  return {
    sizes: values.invitations.split(",").map((raw) => positive("invitations", raw)),
    connections: positive("connections", values.connections),
    rounds: positive("rounds", values.rounds),
    seconds: positive("seconds", values.seconds),
    warmup: positive("warmup", values.warmup),
    targets,
    mail,
    floorCheckpoints,
    profileDir: values.profile === undefined ? null : resolve(values.profile),
    keep: values.keep,
  };
}

/** The server as a deployer runs it, tuned only so the benchmark is not refused by design. */
function serverEnv(databaseFile: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: databaseFile,
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

/** The two processes under test, each on its own copy of the seeded database. */
interface Started {
  readonly children: Child[];
  readonly targets: Target[];
  readonly serverDb: string;
}

async function startTargets(dir: string, n: number, options: Options): Promise<Started> {
  const serverDir = join(dir, "server");
  const floorDir = join(dir, "floor");
  mkdirSync(serverDir);
  mkdirSync(floorDir);
  const serverDb = join(serverDir, "bench.db");
  const floorDb = join(floorDir, "bench.db");
  copyFileSync(join(dir, "seed.db"), serverDb);
  copyFileSync(join(dir, "seed.db"), floorDb);

  const children: Child[] = [];
  const serverPort = await freePort();
  const profile = (name: string) =>
    options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(options.profileDir, name)}`] : [];
  const entry = inProject(options.mail === "files" ? "dist/src/main.js" : "bench/serve.mjs");
  const server = await startChild("server", [...profile("server"), entry], {
    port: serverPort,
    readyPath: "/readyz",
    // Without SMTP_URL the mail worker writes .eml files under ./data/mail: here, a folder deleted afterwards.
    cwd: serverDir,
    env: serverEnv(serverDb, serverPort),
  });
  children.push(server);
  const floorPort = await freePort();
  const floor = await startChild(
    "floor",
    [
      ...profile("floor"),
      ...TSX,
      inProject("bench/floor.ts"),
      floorDb,
      String(floorPort),
      options.floorCheckpoints,
    ],
    { port: floorPort, readyPath: "/healthz", cwd: floorDir, env: process.env },
  );
  children.push(floor);

  const serverIds = new InvitationIds(n);
  const all: Record<TargetName, () => Target> = {
    floor: () => floorTarget(floor.url, new InvitationIds(n)),
    graphql: () => graphqlTarget(server.url, serverIds),
    rest: () => restTarget(server.url, serverIds),
  };
  return { children, targets: options.targets.map((name) => all[name]()), serverDb };
}

function inProject(path: string): string {
  return join(projectRoot, path);
}

/** One database size: its seeded copies, its server and floor, and what they measured. */
interface Size {
  readonly invitations: number;
  readonly dir: string;
  readonly seedSeconds: number;
  readonly started: Started;
  readonly serverRssAtStartMiB: number;
  readonly measured: Map<TargetName, Interval[]>;
}

/** Seeds one size and starts its processes; cleans up after itself if that fails. */
async function prepareSize(n: number, options: Options): Promise<Size> {
  const dir = mkdtempSync(join(tmpdir(), `invitation-bench-${n}-`));
  log(`seeding ${n.toLocaleString("en-US")} invitations...`);
  const seed = seedBenchDatabase(join(dir, "seed.db"), n);
  log(`seeded in ${seed.seconds.toFixed(1)} s`);
  let started: Started;
  try {
    started = await startTargets(dir, n, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    invitations: n,
    dir,
    seedSeconds: seed.seconds,
    started,
    serverRssAtStartMiB: residentMiB(childNamed(started, "server")),
    measured: new Map(),
  };
}

/**
 * Every size's processes run side by side, and each round loads every (size, target) pair in turn: the growth
 * ratio then compares intervals spread over the same minutes, not a first run with a later one that a busier
 * machine may have slowed down. Only the process under load works; the others are idle meanwhile.
 */
async function benchSizes(options: Options, failures: Map<string, Failure[]>): Promise<SizeRun[]> {
  const sizes: Size[] = [];
  try {
    for (const n of options.sizes) sizes.push(await prepareSize(n, options));
    const pairs = sizes.flatMap((size) => size.started.targets.map((target) => ({ size, target })));
    // Before each interval: the previous one's work is finished, and its writes are on disk, so neither is
    // paid for by the next target.
    const settle = async (size: Size) => {
      if (options.mail === "files") {
        const waited = await waitForDeliveries(size.started.serverDb, 600);
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
      record(size, target, await runInterval(target, options.connections, options.warmup));
    }
    for (let round = 0; round < options.rounds; round++) {
      // Each round starts with the next pair, so none always runs first (or after the same one).
      for (let i = 0; i < pairs.length; i++) {
        const { size, target } = pairs[(round + i) % pairs.length]!;
        await settle(size);
        const interval = await runInterval(target, options.connections, options.seconds);
        record(size, target, interval);
        size.measured.set(target.name, [...(size.measured.get(target.name) ?? []), interval]);
        log(
          `round ${round + 1}/${options.rounds} ${label(size, target)}: ` +
            `${(interval.succeeded / interval.seconds).toFixed(0)} req/s, ${interval.failures.length} failed`,
        );
      }
    }
    return sizes.map((size) => ({
      invitations: size.invitations,
      seedSeconds: size.seedSeconds,
      serverRssAtStartMiB: size.serverRssAtStartMiB,
      serverRssMiB: residentMiB(childNamed(size.started, "server")),
      floorRssMiB: residentMiB(childNamed(size.started, "floor")),
      targets: size.started.targets.map((target) => figures(target, size.measured.get(target.name) ?? [])),
    }));
  } finally {
    for (const size of sizes) {
      for (const child of size.started.children) await stopChild(child);
      if (!options.keep) rmSync(size.dir, { recursive: true, force: true });
      else log(`kept ${size.dir}`);
    }
  }
}

function childNamed(started: Started, name: "server" | "floor"): Child {
  const child = started.children.find((c) => c.name === name);
  if (!child) throw new Error(`no ${name} process`);
  return child;
}

function figures(target: Target, intervals: readonly Interval[]): TargetFigures {
  const succeeded = intervals.reduce((sum, i) => sum + i.succeeded, 0);
  const seconds = intervals.reduce((sum, i) => sum + i.seconds, 0);
  const latencies = intervals.flatMap((i) => i.latencies);
  return {
    name: target.name,
    label: target.label,
    requestsPerSecond: succeeded / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    requests: succeeded,
  };
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const failures = new Map<string, Failure[]>();
  const runs = await benchSizes(options, failures);

  console.log(
    `\n${options.connections} connections, ${options.rounds} rounds of ${options.seconds} s per target ` +
      `after ${options.warmup} s of warm-up, mail ${options.mail}, floor checkpoints ${options.floorCheckpoints}; ` +
      `Node ${process.version}\n`,
  );
  console.log(resultsTable(runs));
  console.log();
  for (const run of runs) {
    console.log(
      `${run.invitations.toLocaleString("en-US")} invitations: seeded in ${run.seedSeconds.toFixed(1)} s; ` +
        `server RSS ${run.serverRssAtStartMiB.toFixed(0)} MiB at start, ${run.serverRssMiB.toFixed(0)} MiB after the runs ` +
        `(floor: ${run.floorRssMiB.toFixed(0)} MiB)`,
    );
  }
  console.log();
  console.log(verdictTable(verdicts(runs)));

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
