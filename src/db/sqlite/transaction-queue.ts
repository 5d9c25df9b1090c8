/**
 * Keeps one SQLite connection to one transaction at a time. A transaction holds the queue from BEGIN to
 * COMMIT; a statement outside any transaction runs at once when the queue is free (better-sqlite3 runs it
 * synchronously, so nothing interleaves), and waits its turn otherwise, so it never lands inside another
 * request's open transaction.
 */
export class TransactionQueue {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Resolves once the caller holds the connection; call the returned function to pass it on. */
  acquire(): Promise<() => void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  /** Runs a single synchronous statement outside any transaction. */
  outside<R>(execute: () => R): Promise<R> {
    if (!this.held) {
      try {
        return Promise.resolve(execute());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.acquire().then((release) => {
      try {
        return execute();
      } finally {
        release();
      }
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    };
  }
}
