import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";

// `npm start` and `npm run cli` as a user and a container runtime run them: the code built once at install
// (`prepare`), no compile step per call; `npm start` hands the process over to node, so a signal to npm alone
// (what a container runtime sends) or to the whole process group (Ctrl-C) drains and exits 0, leaving nothing.
// In one project only: it rebuilds dist/, which the other project's run of it would be starting from meanwhile,
// and what it tests (npm, signals, the bundle) does not depend on the database.

/** The contract's budgets: a second `npm start` serving, and a CLI call answered. */
const START_BUDGET_MS = 1500;
const CLI_BUDGET_MS = 1000;

let dir: string;
let env: Record<string, string>;
/** How long each `npm start` took until it was serving. */
const startTimes: number[] = [];

beforeAll(() => {
  // What `prepare` does at install, so the test runs this code and not an older build.
  const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: projectRoot, encoding: "utf8" });
  expect(build.status, build.stderr).toBe(0);
  dir = mkdtempSync(join(tmpdir(), "invitation-api-npm-"));
  // Exactly this environment: npm's own variables from an outer `npm test` must not leak in.
  env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? dir,
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: join(dir, "test.db"),
  };
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { stdout: string; elapsedMs: number } {
  const startedAt = performance.now();
  const run = spawnSync("npm", ["run", "--silent", "cli", "--", ...args], {
    cwd: projectRoot,
    env,
    encoding: "utf8",
  });
  const elapsedMs = performance.now() - startedAt;
  expect(run.status, run.stderr).toBe(0);
  return { stdout: run.stdout, elapsedMs };
}

interface NpmStart {
  readonly npm: ChildProcess;
  readonly url: string;
  /** The server's own process, from its "listening" log line. */
  readonly serverPid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let running: NpmStart | undefined;
afterEach(() => {
  // A failed test must not leave a server behind: the whole group, npm and node (orphaned or not).
  try {
    if (running) process.kill(-running.npm.pid!, "SIGKILL");
  } catch {
    // Nothing left in the group.
  }
  running = undefined;
});

/** `npm start` in a process group of its own (as a terminal or a container runtime starts it). */
async function npmStart(): Promise<NpmStart> {
  const startedAt = performance.now();
  const npm = spawn("npm", ["start"], {
    cwd: projectRoot,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let stdout = "";
  let stderr = "";
  npm.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  npm.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  for (;;) {
    const line = stdout.split("\n").find((each) => each.includes("invitation API listening"));
    if (line) {
      startTimes.push(performance.now() - startedAt);
      const { url, pid } = JSON.parse(line) as { url: string; pid: number };
      running = { npm, url, serverPid: pid, exited };
      return running;
    }
    if (npm.exitCode !== null || performance.now() - startedAt > 20_000) {
      throw new Error(`npm start did not serve:\n${stdout}\n${stderr}`);
    }
    await sleep(5);
  }
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portAccepts = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

async function expectCleanExit(started: NpmStart): Promise<void> {
  expect(await started.exited).toEqual({ code: 0, signal: null });
  // npm waits for its script; the server must be gone with it, and its port free.
  for (let i = 0; i < 100 && isRunning(started.serverPid); i++) await sleep(20);
  expect(isRunning(started.serverPid)).toBe(false);
  expect(await portAccepts(started.url)).toBe(false);
}

let adminKey: string;

describe("npm run cli", () => {
  it("runs the built command line, answering within a second", () => {
    const migrate = cli("migrate");
    const bootstrap = cli("bootstrap", "--tenant", "Npm Test", "--admin-email", "admin@npm.test");
    adminKey = (JSON.parse(bootstrap.stdout) as { apiKey: string }).apiKey;
    expect(adminKey).toMatch(/\S{20,}/);
    // Reported, not asserted: tests never assert wall-clock times (the machine is shared).
    process.stdout.write(
      `cli calls: ${Math.round(migrate.elapsedMs)} and ${Math.round(bootstrap.elapsedMs)} ms (budget ${CLI_BUDGET_MS})\n`,
    );
  });
});

describe("npm start", () => {
  it("serves GraphQL, REST, the accept page and the IDE from the built code", async () => {
    const { url } = await npmStart();
    const auth = { authorization: `Bearer ${adminKey}` };
    const viewer = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ query: "{ viewer { email } }" }),
    });
    expect(await viewer.json()).toEqual({ data: { viewer: { email: "admin@npm.test" } } });
    const rest = await fetch(`${url}/api/v1/users/999999/resend_invitation`, {
      method: "POST",
      headers: auth,
    });
    expect(rest.status).toBe(404);
    expect(await rest.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    expect((await fetch(`${url}/invitations/accept?token=x`)).status).toBe(200);
    const ide = await fetch(`${url}/graphql`, { headers: { accept: "text/html" } });
    const script = /src="(\/graphql\/ide\/graphiql\.min\.[0-9a-f]+\.js)"/.exec(await ide.text())?.[1];
    expect((await fetch(`${url}${script}`)).status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
  });

  it.each([
    { to: "npm alone (as a container runtime sends it)", signal: "SIGTERM", group: false },
    { to: "npm alone", signal: "SIGINT", group: false },
    { to: "the whole process group", signal: "SIGTERM", group: true },
    { to: "the whole process group (Ctrl-C)", signal: "SIGINT", group: true },
  ] as const)("$signal to $to: drains, exits 0, leaves nothing running", async ({ signal, group }) => {
    const started = await npmStart();
    // The server itself is npm's child: no shell in between that a signal could kill and orphan it.
    expect(isRunning(started.serverPid)).toBe(true);
    process.kill(group ? -started.npm.pid! : started.npm.pid!, signal);
    await expectCleanExit(started);
  });

  afterAll(() => {
    // Reported, not asserted: tests never assert wall-clock times (the machine is shared).
    const times = startTimes.map((ms) => Math.round(ms)).join(", ");
    process.stdout.write(`npm start serving after: ${times} ms (budget ${START_BUDGET_MS})\n`);
  });
});
