// The real server, built (dist/), configured from the environment and started exactly as src/main.ts does,
// except that its mail worker never polls: emails stay queued in the outbox, which is all a resend promises
// ("queued, not delivered"). So the benchmark measures resends, not the delivery of their emails; run.ts
// `--mail files` runs dist/src/main.js itself instead, worker included.
//
// Plain JavaScript, run by plain node: a TypeScript loader would add its own thread and ~55 MB to the RSS measured.
import "reflect-metadata";
import process from "node:process";
import { loadConfig } from "../dist/src/config.js";
import { createLogger } from "../dist/src/http/logger.js";
import { startServer } from "../dist/src/server.js";

/** setTimeout's longest delay: the worker's one poll at start-up finds nothing, and the next never comes. */
const NEVER_MS = 2 ** 31 - 1;

const config = loadConfig();
const server = await startServer(config, createLogger(config.logLevel), {
  mail: { pollIntervalMs: NEVER_MS },
});
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
