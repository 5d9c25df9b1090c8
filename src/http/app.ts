import { fastifyApolloHandler } from "@as-integrations/fastify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import type { Logger } from "pino";
import type { HttpSettings } from "../config.js";
import type { Container } from "../container.js";
import { createApolloServer } from "../graphql/apollo.js";
import type { GraphQLContext } from "../graphql/context.js";
import { registerRestRoutes } from "../rest/routes.js";
import { registerAcceptPage } from "./accept-page.js";
import { registerCors } from "./cors.js";
import { credentialsFromHeaders } from "./credentials.js";
import { registerGraphQLIde } from "./graphql-ide.js";
import { registerMetrics } from "./metrics-route.js";
import { describeHttpError, registerHttpErrorHandling } from "./http-errors.js";
import { RequestRateLimited, registerRateLimit } from "./rate-limit.js";
import { requestIdFor } from "./request-id.js";

export interface AppOptions extends HttpSettings {
  readonly container: Container;
  readonly logger: Logger;
  /** Largest accepted request body. */
  readonly bodyLimitBytes?: number;
}

/** The HTTP server: GraphQL at /graphql, health probes, and (registered by their modules) the REST paths. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { container, logger } = options;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's default generic type.
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    bodyLimit: options.bodyLimitBytes ?? 100 * 1024,
    // A client trickling its request must not hold a connection forever (Fastify's default is no limit).
    // Node answers 408 and closes; it checks every second, so a limit may be enforced up to a second late.
    requestTimeout: options.requestTimeoutMs,
    http: {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
    return503OnClosing: true,
    frameworkErrors: refuseBeforeRouting,
    // Long ids must reach route validation (and get each document's own 400), not a bare 414 from the router.
    routerOptions: { maxParamLength: 1024 },
  });
  // First: Fastify fixes a route's error handler when the route is registered.
  registerHttpErrorHandling(app);
  // Callback-style hooks (here and in metrics-route.ts): an async hook costs every request a promise.
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-request-id", request.id);
    done();
  });
  // Before any route: the limiter attaches itself to each route as it is added.
  if (options.rateLimitPerMinute) {
    const { rateLimitPerMinute: perMinute, redisUrl } = options;
    await registerRateLimit(app, { container, perMinute, redisUrl, logger });
  }

  if (container.metrics) registerMetrics(app, container.metrics);
  await registerCors(app, options.corsOrigins);

  // Probes are never limited: an orchestrator polling them must not be refused.
  const probe = { config: { rateLimit: false as const } };
  app.get("/healthz", probe, async () => ({ status: "ok" }));
  app.get("/readyz", probe, async (_request, reply) => {
    try {
      // PostgreSQL: a round trip through the pool, so an exhausted or broken pool shows here.
      await container.store.ping();
      if (!(await container.store.database.migrationsAreCurrent()))
        return reply.code(503).send({ status: "migrations pending" });
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "database unavailable" });
    }
  });

  const apollo = createApolloServer({
    logger,
    introspection: options.introspection,
    production: options.production,
  });
  await apollo.start();
  if (options.ide) await registerGraphQLIde(app);
  if (options.ide && !options.introspection) {
    logger.info("GraphQL IDE on with introspection off: its docs and completion stay empty");
  }
  app.route({
    url: "/graphql",
    method: ["GET", "POST", "OPTIONS"],
    errorHandler: sendGraphQLTransportError,
    handler: fastifyApolloHandler<GraphQLContext>(apollo, {
      context: async (request) => ({
        call: { credentials: credentialsFromHeaders(request.headers), requestId: request.id },
        service: container.service,
        webhooks: container.webhooks,
        now: container.now,
      }),
    }),
  });

  await registerAcceptPage(app, container);
  await registerRestRoutes(app, container);
  return app;
}

/** Messages for the URLs Fastify refuses before routing; theirs quote the URL, query string and all. */
const PRE_ROUTING_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: "The URL is not validly percent-encoded.",
  FST_ERR_MAX_PARAM_LENGTH: "A path segment of the URL is too long.",
};

/**
 * Malformed URLs are refused before any route or hook runs: answered here in the app's JSON error shape, with
 * the request id, and without echoing the URL (its query may hold an accept token).
 */
function refuseBeforeRouting(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const failure = describeHttpError(error, request.log);
  const message = PRE_ROUTING_MESSAGES[error.code] ?? failure.message;
  void reply
    .code(failure.status)
    .header("x-request-id", request.id)
    .send({ error: { code: failure.code, message } });
}

/**
 * Refusals before Apollo runs (rate limit, body too large, malformed JSON, unsupported media type), in the
 * shape Apollo gives its own: `{"errors": [{"message", "extensions": {"code"}}]}`. The code is the status's
 * name (`PAYLOAD_TOO_LARGE`, `BAD_REQUEST`, …), except the request limit's, which is the RATE_LIMITED with
 * `retryAfterSeconds` that a resend's ResendRateLimited has.
 */
function sendGraphQLTransportError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof RequestRateLimited) {
    const { code, message, retryAfterSeconds } = error.refusal;
    return reply.code(429).send({ errors: [{ message, extensions: { code, retryAfterSeconds } }] });
  }
  const failure = describeHttpError(error, request.log);
  const code = failure.code.toUpperCase();
  return reply.code(failure.status).send({ errors: [{ message: failure.message, extensions: { code } }] });
}
