import pg from "pg";

export interface ChangeListenerEvents {
  notified(channel: string): void;
  /** LISTEN is in place again after a (re)connect: anything signalled meanwhile was missed. */
  resubscribed(): void;
  error(error: Error): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/**
 * One dedicated connection (outside the pool) that LISTENs on the change channels, and reconnects with
 * backoff whenever it is lost. NOTIFY is delivered at commit, never for a rolled-back change.
 */
export class ChangeListener {
  private client: pg.Client | null = null;
  private started = false;
  private stopped = false;
  private retryMs = RECONNECT_MIN_MS;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly events: ChangeListenerEvents,
  ) {}

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    client.on("notification", (message) => this.events.notified(message.channel));
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("change listener connection ended")));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = RECONNECT_MIN_MS;
    this.events.resubscribed();
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.stopped || (this.client !== null && this.client !== client)) return;
    if (this.timer) return;
    this.client = null;
    client.removeAllListeners("end");
    client.end().catch(() => {});
    this.events.error(error);
    // Until we listen again, signals are lost: resubscribed() then tells everyone to re-read.
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }
}
