import type { DestinationStream } from "pino";
import sonicBoom from "sonic-boom";

// A CommonJS module whose named export Node cannot see from ESM; its default export carries it.
const { SonicBoom } = sonicBoom;

/** Standard output for the JSON logs, with a shutdown that cannot hang. */
export interface LogDestination {
  readonly stream: DestinationStream;
  /** Writes what is buffered, waiting at most `timeoutMs`; later lines are dropped. Never rejects. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * pino's own stdout destination flushes synchronously at exit, in a loop that retries forever on EPIPE (the
 * reader closed the pipe: `npm start | head`) and on EAGAIN (nobody reads it any more), so the process could
 * never exit. This one writes asynchronously as pino's does, registers no exit-time flush, drops output once
 * the reader is gone, and is closed by the shutdown within a bound.
 */
export function stdoutLogDestination(): LogDestination {
  const sonic = new SonicBoom({ fd: 1, sync: false });
  let open = true;
  // Lines logged from then on (a request finishing during the drain, a late log line) go nowhere instead of
  // throwing or piling up; lines already buffered are still written.
  const stopWriting = () => {
    open = false;
    sonic.write = () => true;
  };
  sonic.on("error", (error: NodeJS.ErrnoException) => {
    // The reader is gone: nobody will read what follows. Any other error is no reason to stop serving either.
    if (error.code === "EPIPE") stopWriting();
  });
  return {
    stream: sonic,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        if (!open) return resolve();
        stopWriting();
        const timer = setTimeout(resolve, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        sonic.once("close", done);
        sonic.once("error", done);
        sonic.end();
      }),
  };
}
