import type { FastifyBaseLogger, FastifyError, FastifyInstance } from "fastify";
import { STATUS_CODES } from "node:http";
import { RequestRateLimited } from "./rate-limit.js";

/** A failure outside any service rule (bad transport, a bug), as every error body renders it. */
export interface HttpFailure {
  readonly status: number;
  /** snake_case name of the status, e.g. `payload_too_large`. */
  readonly code: string;
  readonly message: string;
}

/** Methods a 405 may list in `Allow`: the ones routes here are declared with. */
const ROUTABLE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/**
 * JSON answers for unknown routes, wrong methods, oversized or unsupported bodies, and unexpected errors.
 * Call it before registering routes: Fastify fixes a route's error handler when the route is loaded
 * (at the latest on the next `await app.register`), so routes loaded earlier keep Fastify's default body.
 */
export function registerHttpErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const allowed = ROUTABLE_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      const message = `${request.method} is not allowed on ${path}; use ${allowed.join(", ")}.`;
      return reply
        .code(405)
        .header("allow", allowed.join(", "))
        .send(errorBody(failure(405, message)));
    }
    return reply.code(404).send(errorBody(failure(404, `No route for ${request.method} ${path}.`)));
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const described = describeHttpError(error, request.log);
    return reply.code(described.status).send(errorBody(described));
  });
}

/**
 * Client errors keep Fastify's status and message (e.g. 413 "Request body is too large"); anything else is
 * logged and answered as a bare 500, so no stack trace or SQL reaches the client.
 */
export function describeHttpError(error: FastifyError, log: FastifyBaseLogger): HttpFailure {
  // The code a resend's 429 has, rather than the status's name (too_many_requests).
  if (error instanceof RequestRateLimited)
    return { status: 429, code: "rate_limited", message: error.message };
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return failure(status, error.message);
  log.error({ err: error }, "unhandled error");
  return failure(500, "An unexpected error occurred.");
}

function failure(status: number, message: string): HttpFailure {
  const name = STATUS_CODES[status] ?? "error";
  return { status, code: name.toLowerCase().replace(/[^a-z]+/g, "_"), message };
}

function errorBody({ code, message }: HttpFailure) {
  return { error: { code, message } };
}
