import type { FastifyInstance } from "fastify";
import type { Metrics } from "../metrics/metrics.js";

/**
 * `GET /metrics` in Prometheus's text format, and the per-request series. Routes are labelled by their
 * pattern (`/tenant/:tenantId/…`), never the URL, so no id or tenant reaches a label.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.request(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get("/metrics", { config: { rateLimit: false } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).header("cache-control", "no-store").send(text);
  });
}
