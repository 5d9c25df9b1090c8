import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { LogDestination } from "./http/log-destination.js";

/**
 * A repeat of the first signal within this time is the same request delivered twice: `npm start` forwards to
 * the server the signal that its whole process group also received (Ctrl-C in a terminal, `kill -- -PGID`).
 */
const DUPLICATE_SIGNAL_MS = 500;
/** How long the last log lines may take to reach stdout before the process exits anyway. */
const LOG_FLUSH_MS = 500;
/** After the drain's timeout, how long exiting may take before another thread kills the process. */
const EXIT_GRACE_MS = 2000;

export interface ShutdownOptions {
  readonly server: { close(): Promise<void> };
  readonly logger: Logger;
  readonly logs: LogDestination;
  /** SHUTDOWN_TIMEOUT_SECONDS: how long the drain may take. */
  readonly timeoutSeconds: number;
}

/**
 * SIGTERM and SIGINT drain in-flight requests and the mail worker, then exit 0; a second, different signal
 * (or the same one later) exits 1 at once; a drain that outlasts the timeout exits 1. Nothing a stream does
 * can keep the process alive: log output is given a bounded time, and a watchdog thread ends the process if
 * its main thread never gets back to its event loop.
 */
export function drainOnSignals({ server, logger, logs, timeoutSeconds }: ShutdownOptions): void {
  let first: { readonly signal: NodeJS.Signals; readonly at: number } | null = null;
  const exit = async (code: number) => {
    await logs.close(LOG_FLUSH_MS);
    process.exit(code);
  };
  const stop = (signal: NodeJS.Signals) => {
    const now = performance.now();
    if (first) {
      if (signal === first.signal && now - first.at < DUPLICATE_SIGNAL_MS) return;
      logger.warn({ signal }, "second signal: exiting without waiting for the drain");
      void exit(1);
      return;
    }
    first = { signal, at: now };
    logger.info({ signal }, "draining and shutting down");
    killAfter(timeoutSeconds * 1000 + EXIT_GRACE_MS);
    // A request or an SMTP send that never ends must not keep the process from stopping.
    setTimeout(() => {
      logger.error({ timeoutSeconds }, "drain timed out; exiting");
      void exit(1);
    }, timeoutSeconds * 1000).unref();
    server.close().then(
      () => {
        logger.info("stopped");
        void exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        void exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/**
 * The last resort, for a main thread stuck outside its event loop (a synchronous write to a pipe nobody reads,
 * a native call that never returns), where no timer of its own can fire: a worker thread kills the process.
 */
function killAfter(ms: number): void {
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     setTimeout(() => process.kill(workerData.pid, "SIGKILL"), workerData.ms);`,
    { eval: true, workerData: { pid: process.pid, ms } },
  );
  worker.unref();
}
