import { fastifyApolloDrainPlugin, fastifyApolloHandler } from "@as-integrations/fastify";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Container } from "../container.js";
import type { Connection } from "../db/connection.js";
import { migrationsAreCurrent } from "../db/connection.js";
import { createApolloServer } from "../graphql/apollo.js";
import type { GraphQLContext } from "../graphql/context.js";
import { registerRestRoutes } from "../rest/routes.js";
import { registerAcceptPage } from "./accept-page.js";
import { credentialsFromHeaders } from "./credentials.js";
import { registerGraphQLIde } from "./graphql-ide.js";
import { registerHttpErrorHandling } from "./http-errors.js";
import { requestIdFor } from "./request-id.js";

export interface AppOptions {
  readonly container: Container;
  readonly connection: Connection;
  readonly logger: Logger;
  readonly production: boolean;
  /** Serve the GraphQL IDE to browsers at GET /graphql. */
  readonly ide: boolean;
  /** Largest accepted request body. */
  readonly bodyLimitBytes?: number;
}

/** The HTTP server: GraphQL at /graphql, health probes, and (registered by their modules) the REST paths. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { container, connection, logger } = options;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's default generic type.
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    bodyLimit: options.bodyLimitBytes ?? 100 * 1024,
    return503OnClosing: true,
  });
  // First: Fastify fixes a route's error handler when the route is registered.
  registerHttpErrorHandling(app);
  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    try {
      container.store.ping();
      if (!migrationsAreCurrent(connection)) return reply.code(503).send({ status: "migrations pending" });
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "database unavailable" });
    }
  });

  const apollo = createApolloServer({
    logger,
    introspection: !options.production || options.ide,
    plugins: [fastifyApolloDrainPlugin(app)],
  });
  await apollo.start();
  if (options.ide) await registerGraphQLIde(app);
  app.route({
    url: "/graphql",
    method: ["GET", "POST", "OPTIONS"],
    handler: fastifyApolloHandler<GraphQLContext>(apollo, {
      context: async (request) => ({
        call: { credentials: credentialsFromHeaders(request.headers), requestId: request.id },
        service: container.service,
        now: container.now,
      }),
    }),
  });

  await registerAcceptPage(app, container);
  await registerRestRoutes(app, container);
  return app;
}
