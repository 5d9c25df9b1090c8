import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * Request counts shared through Redis (REDIS_URL), so that N instances allow the limit once, not N times.
 * Redis is a helper, not a dependency: while it is down, unreachable or slow, requests are served without
 * the limit (the store's error makes the plugin skip it) and the log says so once per outage.
 */
export interface SharedRateLimit {
  /** The store class @fastify/rate-limit instantiates. */
  readonly store: FastifyRateLimitStoreCtor;
  close(): void;
}

/** Longest a request waits for Redis before it is served without the limit. */
const COMMAND_TIMEOUT_MS = 500;
/** Longest start-up waits for a first connection; after that the client keeps trying in the background. */
const STARTUP_WAIT_MS = 1000;
const KEY_PREFIX = "invitation-api:rate-limit:";

/** A fixed window per key: the first request starts it; returns the count and the window's milliseconds left. */
const INCREMENT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

type State = "connecting" | "up" | "down";

export async function connectSharedRateLimit(url: string, logger: Logger): Promise<SharedRateLimit> {
  // Loaded only when REDIS_URL is set: a server without it never pays for the client.
  const { Redis } = await import("ioredis");
  // Where, never the URL itself: it may carry a password.
  const { hostname, port } = new URL(url);
  const log = logger.child({ component: "rate-limit", redis: `${hostname}:${port || 6379}` });
  const redis: Redis = new Redis(url, {
    connectTimeout: 2000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // Fail at once while disconnected instead of queueing the request behind a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Reconnect in the background for as long as the process runs, at most every 5 s.
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });

  let state: State = "connecting";
  const down = (reason: string) => {
    if (state === "down") return;
    state = "down";
    log.warn({ reason }, "Redis unavailable: request rate limits are not enforced until it answers again");
  };
  const up = () => {
    if (state === "up") return;
    log.info(
      state === "down"
        ? "Redis answers again: request rate limits enforced"
        : "rate limits shared through Redis",
    );
    state = "up";
  };
  redis.on("ready", up);
  // Also keeps ioredis from reporting an unhandled error event on every reconnect attempt.
  redis.on("error", (error: Error) => down(error.message));

  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      down(`no connection within ${STARTUP_WAIT_MS} ms`);
      resolve();
    }, STARTUP_WAIT_MS);
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", settle);
    redis.once("error", settle);
  });

  class RedisCountStore implements FastifyRateLimitStore {
    // The plugin passes its options first; only routes' child stores pass a prefix.
    constructor(
      _options?: unknown,
      private readonly prefix = KEY_PREFIX,
    ) {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      redis.eval(INCREMENT, 1, `${this.prefix}${key}`, timeWindow).then(
        (reply) => {
          up();
          const [current, ttl] = reply as [number, number];
          callback(null, { current, ttl });
        },
        (error: Error) => {
          down(error.message);
          callback(error);
        },
      );
    }

    child(routeOptions: { method: string | string[]; url: string }): FastifyRateLimitStore {
      return new RedisCountStore(
        undefined,
        `${this.prefix}${String(routeOptions.method)}${routeOptions.url}:`,
      );
    }
  }

  return {
    store: RedisCountStore as unknown as FastifyRateLimitStoreCtor,
    // Requests are drained by then; nothing is waiting for a reply.
    close: () => redis.disconnect(),
  };
}
