import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Container } from "../container.js";
import { errors, type ResendRateLimited } from "../invitations/errors.js";
import { rateLimitKeyOf } from "./credentials.js";
import { connectSharedRateLimit } from "./shared-rate-limit.js";

/**
 * A request over the per-caller budget. It carries the same refusal a resend's cooldown gives, so that every
 * route answers it in its own rate-limited shape (GraphQL's RATE_LIMITED, each REST document's body).
 */
export class RequestRateLimited extends Error {
  override name = "RequestRateLimited";
  readonly statusCode = 429;
  readonly refusal: ResendRateLimited;

  constructor(retryAfterSeconds: number) {
    const refusal = errors.resendRateLimited(
      retryAfterSeconds,
      "request_rate",
      "Too many requests with this credential",
    );
    super(refusal.message);
    this.refusal = refusal;
  }
}

export interface RateLimitOptions {
  readonly container: Container;
  /** Requests per minute per API key (per client address without a valid one). */
  readonly perMinute: number;
  /** Counts are shared through this Redis when set. */
  readonly redisUrl: string | null;
  readonly logger: Logger;
}

/**
 * A per-caller request budget at the edge, before any body is read. Each route's error handler renders the
 * 429 in its own shape; `Retry-After` is set by the plugin.
 */
export async function registerRateLimit(
  app: FastifyInstance,
  { container, perMinute, redisUrl, logger }: RateLimitOptions,
): Promise<void> {
  const isKnownKey = async (keyHash: string) => {
    try {
      return await container.store.isKnownActiveKey(keyHash);
    } catch {
      // The database failing is for the route to report, in its own shape; the key keeps its own budget.
      return true;
    }
  };
  // Without REDIS_URL each process counts on its own (the plugin's in-memory store).
  const shared = redisUrl === null ? null : await connectSharedRateLimit(redisUrl, logger);
  if (shared) app.addHook("onClose", async () => shared.close());
  await app.register(rateLimit, {
    ...(shared && { store: shared.store, skipOnError: true }),
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => rateLimitKeyOf(request.headers, request.ip, isKnownKey),
    onExceeded: () => container.metrics?.rateLimited(),
    // The same whole seconds as the plugin's Retry-After header.
    errorResponseBuilder: (_request, context) =>
      new RequestRateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}
