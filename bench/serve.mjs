// The real server, built (dist/), configured from the environment and started exactly as src/main.ts does,
// except that its mail worker is stopped as soon as it starts: emails stay queued in the outbox, which is all a
// resend promises ("queued, not delivered"). So the benchmark measures resends, not the delivery of their
// emails; run.ts `--mail files` runs dist/src/main.js itself instead, worker included.
//
// Stopped, not merely slowed: the worker also wakes on every queued email's change signal (both dialects), so
// a long poll interval alone no longer keeps it idle.
//
// Plain JavaScript, run by plain node: a TypeScript loader would add its own thread and ~55 MB to the RSS measured.
import "reflect-metadata";
import process from "node:process";
import { loadConfig } from "../dist/src/config.js";
import { createLogger } from "../dist/src/http/logger.js";
import { startServer } from "../dist/src/server.js";

/** setTimeout's longest delay: no poll comes before the worker is stopped below. */
const NEVER_MS = 2 ** 31 - 1;

const config = loadConfig();
const server = await startServer(config, createLogger(config.logLevel), {
  mail: { pollIntervalMs: NEVER_MS },
});
// Before its first pass (a timer, which cannot fire before this continuation runs); close() finds it stopped.
await server.delivery.stop();
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
