import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";

/** What a browser app on an allowed origin may send, and read back. */
const ALLOWED_HEADERS = [
  "content-type",
  "authorization",
  "x-api-key",
  "x-tenant-id",
  "idempotency-key",
  "apollo-require-preflight",
  "x-apollo-operation-name",
];
const EXPOSED_HEADERS = ["retry-after", "x-request-id", "www-authenticate"];

/**
 * CORS for the listed origins only, on every route, preflights answered before authentication. Other origins
 * get no CORS headers, so browsers keep them out; Apollo's CSRF prevention still refuses their simple requests.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: [...origins],
    methods: ["GET", "POST", "PUT", "OPTIONS"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: true,
  });
}
