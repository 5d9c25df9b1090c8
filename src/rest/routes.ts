import type { FastifyInstance } from "fastify";
import type { Container } from "../container.js";

/** Registers the REST compatibility paths (contract §6). */
export async function registerRestRoutes(_app: FastifyInstance, _container: Container): Promise<void> {}
