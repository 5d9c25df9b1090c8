import {
  WWW_AUTHENTICATE,
  type JsonSchema,
  type NamedSchema,
  type ParameterSpec,
  type RestOperation,
} from "./rest-operation.js";

const HEADERS = {
  "Retry-After": {
    description: "Seconds to wait before resending this invitation.",
    schema: { type: "integer", minimum: 1 },
  },
  "WWW-Authenticate": {
    description: "The scheme that would be accepted (RFC 9110).",
    schema: { type: "string", const: WWW_AUTHENTICATE },
  },
} as const;

/** Headers that accompany a status on every path. */
const HEADERS_OF_STATUS: Readonly<Record<string, keyof typeof HEADERS>> = {
  "401": "WWW-Authenticate",
  "429": "Retry-After",
};

export interface OpenApiOptions {
  /** Where clients reach this server: PUBLIC_URL. */
  readonly serverUrl: string;
}

/**
 * The OpenAPI 3.1 document of the REST paths, generated from the same operation table Fastify serves, so
 * every parameter and response schema in it is the one requests are validated and answered with. Each body
 * schema is listed once under `components/schemas` and referenced wherever it is used.
 */
export function buildOpenApiDocument(operations: readonly RestOperation[], { serverUrl }: OpenApiOptions) {
  const schemas = new Map<string, JsonSchema>();
  const ref = ({ name, schema }: NamedSchema) => {
    const known = schemas.get(name);
    // Two different schemas under one name would make every $ref to it ambiguous.
    if (known !== undefined && known !== schema) throw new Error(`two schemas named ${name}`);
    schemas.set(name, schema);
    return { $ref: `#/components/schemas/${name}` };
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    for (const { path, operationId } of operation.routes) {
      paths[path] = {
        ...paths[path],
        [operation.method.toLowerCase()]: describe(operation, operationId, ref),
      };
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
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: serverUrl, description: "This server (its PUBLIC_URL)." }],
    tags: [...new Set(operations.map((operation) => operation.tag))].map((name) => ({
      name,
      description: TAG_DESCRIPTIONS[name] ?? name,
    })),
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Authorization: Bearer KEY" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-Api-Key", description: "X-Api-Key: KEY" },
      },
      headers: HEADERS,
      schemas: Object.fromEntries([...schemas].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Users: "Resend by user (seeds 000 and 001).",
  Invitations: "Resend by invitation, in a tenant (seed 002).",
  "Account users": "Send a new invitation to an account user (seed 003).",
};

function describe(
  operation: RestOperation,
  operationId: string,
  ref: (body: NamedSchema) => { $ref: string },
) {
  const { requestBody } = operation;
  return {
    operationId,
    tags: [operation.tag],
    summary: operation.summary,
    description: operation.description,
    parameters: operation.parameters.map(describeParameter),
    requestBody: {
      required: false,
      description: requestBody.description,
      content: {
        "application/json": {
          schema: requestBody.schema,
          ...(requestBody.example !== undefined && { example: requestBody.example }),
        },
      },
    },
    responses: Object.fromEntries(
      Object.entries(operation.responses).map(([status, { description, body, example }]) => {
        const header = HEADERS_OF_STATUS[status];
        return [
          status,
          {
            description,
            ...(header && { headers: { [header]: { $ref: `#/components/headers/${header}` } } }),
            content: {
              "application/json": { schema: ref(body), ...(example !== undefined && { example }) },
            },
          },
        ];
      }),
    ),
  };
}

function describeParameter({ name, in: location, required, description, schema, example }: ParameterSpec) {
  return { name, in: location, required, description, schema, ...(example !== undefined && { example }) };
}
