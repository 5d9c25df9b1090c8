import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PollingLoop } from "../../src/shared/polling-loop.js";

const POLL_MS = 1_000;
const STOP_TIMEOUT_MS = 5_000;

/** A loop whose passes the test ends by hand, one deferred per pass, with every effect recorded. */
function harness() {
  const passes: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let wake: () => void = () => {
    throw new Error("not subscribed");
  };
  const logger = { error: vi.fn(), warn: vi.fn() };
  const unsubscribe = vi.fn();
  const onStopped = vi.fn();
  const loop = new PollingLoop<string>({
    pass: () =>
      new Promise<string>((resolve, reject) => {
        const name = `pass ${passes.length + 1}`;
        passes.push({ resolve: () => resolve(name), reject });
      }),
    subscribe: (signal) => {
      wake = signal;
      return unsubscribe;
    },
    pollIntervalMs: POLL_MS,
    stopTimeoutMs: STOP_TIMEOUT_MS,
    logger,
    passFailedMessage: "pass failed",
    stoppedInFlightMessage: "stopped with a pass in flight",
    onStopped,
  });
  return { loop, passes, logger, unsubscribe, onStopped, wake: () => wake() };
}

/** Runs the timers due within `ms` and the promise callbacks they lead to. */
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);

function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.finally(() => (done = true));
  return () => done;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("PollingLoop", () => {
  it("runs a pass at once, then again after the poll interval", async () => {
    const h = harness();
    expect(h.loop.start()).toBe(true);
    expect(h.loop.start()).toBe(false);
    await elapse(0);
    expect(h.passes).toHaveLength(1);

    h.passes[0]!.resolve();
    await elapse(POLL_MS - 1);
    expect(h.passes).toHaveLength(1);
    await elapse(1);
    expect(h.passes).toHaveLength(2);
  });

  it("runs again as soon as a pass ends when woken during it", async () => {
    const h = harness();
    h.loop.start();
    await elapse(0);
    h.wake();
    expect(h.passes).toHaveLength(1);

    h.passes[0]!.resolve();
    await elapse(0);
    expect(h.passes).toHaveLength(2);

    // Not woken during the second pass: back to the poll interval.
    h.passes[1]!.resolve();
    await elapse(POLL_MS - 1);
    expect(h.passes).toHaveLength(2);
  });

  it("runs at once when woken between passes", async () => {
    const h = harness();
    h.loop.start();
    await elapse(0);
    h.passes[0]!.resolve();
    await elapse(1);

    h.wake();
    await elapse(0);
    expect(h.passes).toHaveLength(2);
  });

  it("logs a pass that throws and polls again", async () => {
    const h = harness();
    h.loop.start();
    await elapse(0);
    const error = new Error("database gone");
    h.passes[0]!.reject(error);
    await elapse(0);
    expect(h.logger.error).toHaveBeenCalledWith({ err: error }, "pass failed");

    await elapse(POLL_MS);
    expect(h.passes).toHaveLength(2);
  });

  it("stop() waits for the pass in flight, then polls no more", async () => {
    const h = harness();
    h.loop.start();
    await elapse(0);

    const stopped = settled(h.loop.stop());
    expect(h.loop.stopping).toBe(true);
    expect(h.unsubscribe).toHaveBeenCalledOnce();
    await elapse(STOP_TIMEOUT_MS - 1);
    expect(stopped()).toBe(false);
    expect(h.onStopped).not.toHaveBeenCalled();

    h.passes[0]!.resolve();
    await elapse(0);
    expect(stopped()).toBe(true);
    expect(h.onStopped).toHaveBeenCalledOnce();
    expect(h.logger.warn).not.toHaveBeenCalled();

    h.wake();
    await elapse(10 * POLL_MS);
    expect(h.passes).toHaveLength(1);
    expect(h.loop.start()).toBe(false);
  });

  it("stop() waits for a pass started with runOnce()", async () => {
    const h = harness();
    const result = h.loop.runOnce();
    const stopped = settled(h.loop.stop());
    await elapse(0);
    expect(stopped()).toBe(false);

    h.passes[0]!.resolve();
    await expect(result).resolves.toBe("pass 1");
    await elapse(0);
    expect(stopped()).toBe(true);
    expect(h.loop.started).toBe(false);
  });

  it("stop() gives up on a pass still running after stopTimeoutMs, with a warning", async () => {
    const h = harness();
    h.loop.start();
    await elapse(0);

    const stopped = settled(h.loop.stop());
    await elapse(STOP_TIMEOUT_MS - 1);
    expect(stopped()).toBe(false);
    await elapse(1);
    expect(stopped()).toBe(true);
    expect(h.logger.warn).toHaveBeenCalledWith("stopped with a pass in flight");
    expect(h.onStopped).toHaveBeenCalledOnce();
  });

  it("stops once however often stop() is called", async () => {
    const h = harness();
    const first = h.loop.stop();
    expect(h.loop.stop()).toBe(first);
    await first;
    expect(h.onStopped).toHaveBeenCalledOnce();
  });
});
