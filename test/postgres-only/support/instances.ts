/**
 * Several real server processes (`src/main.ts`, as `npm start` runs it) on one PostgreSQL database, for the
 * multi-instance tests of test/postgres-only/multi-instance.test.ts; plus the command line in a child
 * process, empty databases on the test server, and a clock on the SMTP sink's arrivals.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { inject } from "vitest";
import { projectRoot } from "../../../src/paths.js";
import { spawnServer, type ChildServer } from "../../hardening/support/child-server.js";
import { freePort, type SmtpSink } from "../../mail/support/smtp-sink.js";
import type {} from "../../support/postgres-cluster.js";

export interface Instance {
  /** "A", "B", "C"… */
  readonly name: string;
  readonly url: string;
  readonly server: ChildServer;
  /** stdout and stderr so far (JSON log lines at the chosen LOG_LEVEL). */
  output(): string;
  alive(): boolean;
  kill(signal: NodeJS.Signals): void;
}

export interface InstanceGroup {
  readonly instances: Instance[];
  /** SIGTERM to every instance still running, SIGKILL after a grace period; removes the working folder. */
  close(): Promise<void>;
}

export interface InstanceOptions {
  /** How many processes; default 3. */
  readonly count?: number;
  readonly databaseUrl: string;
  readonly smtpUrl: string;
  /** Extra variables (they win over the defaults). */
  readonly env?: Record<string, string>;
  /** How long each may take to answer /readyz 200; default 40 s (three tsx start-ups share two cores). */
  readonly readyTimeoutMs?: number;
}

const NAMES = "ABCDEFGH";

/**
 * Spawns `count` servers at the same moment, each `HOST=127.0.0.1 PORT=<free> DATABASE_URL SMTP_URL
 * LOG_LEVEL=warn RATE_LIMIT_PER_MINUTE=0`, and waits until every one answers `GET /readyz` with 200.
 * `register` is called with the group before waiting, so a caller's cleanup kills them even when start-up fails.
 */
export async function startInstances(
  options: InstanceOptions,
  register: (group: InstanceGroup) => void,
): Promise<Instance[]> {
  const count = options.count ?? 3;
  const cwd = await mkdtemp(join(tmpdir(), "invitation-api-multi-"));
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());

  const instances = [...ports].map((port, index): Instance => {
    const server = spawnServer(
      {
        HOST: "127.0.0.1",
        PORT: String(port),
        DATABASE_URL: options.databaseUrl,
        SMTP_URL: options.smtpUrl,
        PUBLIC_URL: "https://invites.example.test",
        MAIL_FROM: "Invitations <no-reply@invites.example.test>",
        LOG_LEVEL: "warn",
        RATE_LIMIT_PER_MINUTE: "0",
        // A small pool each: three instances plus the test's own connections stay far below max_connections.
        DATABASE_POOL_SIZE: "5",
        ...options.env,
      },
      cwd,
    );
    return {
      name: NAMES[index]!,
      url: `http://127.0.0.1:${port}`,
      server,
      output: () => server.stdout() + server.stderr(),
      alive: () => server.child.exitCode === null && server.child.signalCode === null,
      kill: (signal) => {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
      },
    };
  });

  let closing: Promise<void> | null = null;
  register({
    instances,
    close: () =>
      (closing ??= (async () => {
        await Promise.all(instances.map((instance) => stopInstance(instance)));
        await rm(cwd, { recursive: true, force: true });
      })()),
  });

  await Promise.all(instances.map((instance) => waitUntilReady(instance, options.readyTimeoutMs ?? 40_000)));
  return instances;
}

async function stopInstance(instance: Instance): Promise<void> {
  if (!instance.alive()) return;
  instance.kill("SIGTERM");
  const stopped = await Promise.race([instance.server.exited.then(() => true), sleep(8_000, false)]);
  if (!stopped) {
    instance.kill("SIGKILL");
    await instance.server.exited;
  }
}

/** Polls `GET /readyz` until 200; fails with the process's output when it exits or takes too long. */
export async function waitUntilReady(instance: Instance, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!instance.alive()) break;
    const status = await fetch(`${instance.url}/readyz`)
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return;
    await sleep(50);
  }
  throw new Error(
    `instance ${instance.name} (${instance.url}) not ready after ${timeoutMs} ms ` +
      `(exit ${instance.server.child.exitCode ?? instance.server.child.signalCode ?? "none"}):\n` +
      instance.output(),
  );
}

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** performance.now() when the process had exited. */
  readonly exitedAt: number;
}

/** The real command line (`src/cli/main.ts`) in a child process, without blocking this process's event loop. */
export function cli(databaseUrl: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(projectRoot, "src", "cli", "main.ts"), ...args],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl },
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        const exitedAt = performance.now();
        const status = error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0;
        resolve({ status, stdout, stderr, exitedAt });
      },
    );
  });
}

export interface EmptyDatabase {
  readonly name: string;
  readonly url: string;
  dispose(): Promise<void>;
}

/** `CREATE DATABASE` with nothing in it (not from the migrated template) on the postgres project's server. */
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  if (!adminUrl) throw new Error("no PostgreSQL test server: run in the `postgres` project");
  const name = `empty_${randomBytes(8).toString("hex")}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let disposed = false;
  return {
    name,
    url: url.toString(),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
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

/**
 * When each email reached the sink (performance.now(), checked every 5 ms), by its index in `sink.received`;
 * only emails arriving after the call are timed (smtp-sink.ts keeps no arrival time of its own).
 */
export function watchArrivals(sink: SmtpSink): {
  arrivalOf(index: number): number | undefined;
  stop(): void;
} {
  const arrivals = new Map<number, number>();
  let seen = sink.received.length;
  const timer = setInterval(() => {
    const now = performance.now();
    while (seen < sink.received.length) arrivals.set(seen++, now);
  }, 5);
  return { arrivalOf: (index) => arrivals.get(index), stop: () => clearInterval(timer) };
}

/** Polls `probe` every `intervalMs` until it returns something other than undefined. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what = "condition",
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
