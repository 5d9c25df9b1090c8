import type { RestOperation } from "./rest-operation.js";

const RETRY_AFTER_HEADER = {
  description: "Seconds to wait before resending this invitation.",
  schema: { type: "integer", minimum: 1 },
};

/**
 * The OpenAPI 3.1 document of the REST paths, generated from the same operation table Fastify serves, so
 * every parameter and response schema in it is the one requests are validated and answered with.
 */
export function buildOpenApiDocument(operations: readonly RestOperation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    for (const { path, operationId } of operation.routes) {
      paths[path] = { ...paths[path], [operation.method.toLowerCase()]: describe(operation, operationId) };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Invitation API: REST compatibility paths",
      version: "1.0.0",
      description:
        "Four documented resend-invitation APIs, each served with its own path, parameters and bodies, all " +
        "backed by the same service as the GraphQL mutation `resendInvitation` (POST /graphql).",
    },
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Authorization: Bearer KEY" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-Api-Key", description: "X-Api-Key: KEY" },
      },
    },
    paths,
  };
}

function describe(operation: RestOperation, operationId: string) {
  return {
    operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    parameters: operation.parameters.map(({ name, in: location, required, description, schema }) => ({
      name,
      in: location,
      required,
      description,
      schema,
    })),
    responses: Object.fromEntries(
      Object.entries(operation.responses).map(([status, { description, schema }]) => [
        status,
        {
          description,
          ...(status === "429" && { headers: { "Retry-After": RETRY_AFTER_HEADER } }),
          content: { "application/json": { schema } },
        },
      ]),
    ),
  };
}
