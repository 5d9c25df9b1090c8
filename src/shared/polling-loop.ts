import type { Logger } from "pino";

export interface PollingLoopConfig<T> {
  /** One pass of the work; the loop runs it, then again after `pollIntervalMs`, or at once if woken meanwhile. */
  readonly pass: () => Promise<T>;
  /** Subscribes to the signal that work is waiting (called by `start()`); returns the unsubscribe. */
  readonly subscribe: (wake: () => void) => () => void;
  readonly pollIntervalMs: number;
  /** How long `stop()` waits for the passes in flight before giving up on them. */
  readonly stopTimeoutMs: number;
  readonly logger: Pick<Logger, "error" | "warn">;
  /** Logged (as an error, with the error) when a pass the loop started throws; the loop goes on. */
  readonly passFailedMessage: string;
  /** Logged (as a warning) when `stop()` gives up on a pass still running. */
  readonly stoppedInFlightMessage: string;
  /** Runs once `stop()` has waited for (or given up on) the passes in flight: releases what they used. */
  readonly onStopped?: () => void;
}

/**
 * The background loop of a worker that drains a queue: runs a pass now, then every `pollIntervalMs`, and at
 * once when the queue's change signal wakes it. `stop()` ends it, waiting a bounded time for the passes
 * running (the loop's own and those started with `runOnce()`).
 */
export class PollingLoop<T> {
  private readonly passes = new Set<Promise<T>>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** A signal came while a pass was running: look again as soon as it ends. */
  private wokenDuringPass = false;
  private hasStarted = false;
  private stopped: Promise<void> | null = null;

  constructor(private readonly config: PollingLoopConfig<T>) {}

  get started(): boolean {
    return this.hasStarted;
  }

  /** True from `stop()` on: a pass should stop taking new work. */
  get stopping(): boolean {
    return this.stopped !== null;
  }

  /** Subscribes and runs the first pass at once. False, doing nothing, when already started or stopping. */
  start(): boolean {
    if (this.hasStarted || this.stopped) return false;
    this.hasStarted = true;
    this.unsubscribe = this.config.subscribe(() => this.wake());
    this.schedule(0);
    return true;
  }

  /** Stops polling, waits for the passes in flight (bounded by `stopTimeoutMs`), then runs `onStopped`. */
  stop(): Promise<void> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  /** Runs one pass now, tracked so that `stop()` waits for it. */
  runOnce(): Promise<T> {
    const pass = this.config.pass();
    this.passes.add(pass);
    const forget = () => this.passes.delete(pass);
    pass.then(forget, forget);
    return pass;
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.timer === null) {
      this.wokenDuringPass = true;
      return;
    }
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(), delayMs);
    // The HTTP server keeps the process alive; a pending poll alone must not.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    try {
      await this.runOnce();
    } catch (error) {
      this.config.logger.error({ err: error }, this.config.passFailedMessage);
    }
    if (this.stopped) return;
    const woken = this.wokenDuringPass;
    this.wokenDuringPass = false;
    this.schedule(woken ? 0 : this.config.pollIntervalMs);
  }

  private async drain(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timeout = setTimeout(() => resolve(true), this.config.stopTimeoutMs);
    });
    const finished = Promise.allSettled([...this.passes]).then(() => false);
    if (await Promise.race([finished, timedOut])) {
      this.config.logger.warn(this.config.stoppedInFlightMessage);
    }
    clearTimeout(timeout);
    this.config.onStopped?.();
  }
}
