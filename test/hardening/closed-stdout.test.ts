import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { listeningUrl, spawnServer, type ChildServer } from "./support/child-server.js";

// SIGTERM must end the process within SHUTDOWN_TIMEOUT_SECONDS whatever its stdout does: closed by its reader
// (`npm start | head`), or a pipe nobody reads any more.

const TIMEOUT_SECONDS = 2;

let dir: string;
let server: ChildServer | undefined;
afterEach(() => {
  server?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The server in demo mode (it prints its banner), logging every request, in its own folder. */
async function start(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), "invitation-api-stdout-"));
  server = spawnServer(
    { HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "trace", SHUTDOWN_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) },
    dir,
  );
  return listeningUrl(server);
}

/** Requests that each write a few log lines. */
async function logLines(url: string, requests: number): Promise<void> {
  for (let i = 0; i < requests; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);
}

async function sigtermEndsIt(): Promise<void> {
  const sigtermAt = performance.now();
  server!.child.kill("SIGTERM");
  const exit = await Promise.race([
    server!.exited,
    new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 8000)),
  ]);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(performance.now() - sigtermAt).toBeLessThan(TIMEOUT_SECONDS * 1000 + 1500);
}

it("exits on SIGTERM when its reader closed stdout (npm start | head)", async () => {
  await start();
  // Closed with nothing written since: the shutdown's own log lines are the first to meet the closed pipe.
  server!.child.stdout!.destroy();
  await sigtermEndsIt();
});

it("exits on SIGTERM when nobody reads stdout any more", async () => {
  const url = await start();
  server!.child.stdout!.pause();
  // Well past a pipe's 64 KiB buffer.
  await logLines(url, 600);
  await sigtermEndsIt();
});
