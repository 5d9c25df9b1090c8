import SerializerSelector from "@fastify/fast-json-stringify-compiler";
import type { FastifyInstance, FastifyReply, FastifySchema, FastifySerializerCompiler } from "fastify";
import type { Container } from "../container.js";
import { describeHttpError } from "../http/http-errors.js";
import { RequestRateLimited } from "../http/rate-limit.js";
import { acceptBodylessRequests } from "./bodyless-requests.js";
import { buildOpenApiDocument } from "./openapi.js";
import { compileParameterValidator, fieldErrorsOf } from "./parameter-validation.js";
import { resendInviteOperation } from "./resend-invite.route.js";
import {
  WWW_AUTHENTICATE,
  type JsonSchema,
  type ParameterLocation,
  type RestOperation,
  type RestReply,
  type RestRequest,
} from "./rest-operation.js";
import { sendNewInviteOperation } from "./send-new-invite.route.js";
import { tenantInvitationResendOperation } from "./tenant-invitation-resend.route.js";
import { usersResendInvitationOperation } from "./users-resend-invitation.route.js";

export { WWW_AUTHENTICATE } from "./rest-operation.js";

/** Registers the REST compatibility paths (contract §6) and their OpenAPI document at GET /openapi.json. */
export async function registerRestRoutes(app: FastifyInstance, container: Container): Promise<void> {
  const operations = [
    usersResendInvitationOperation(container),
    resendInviteOperation(container),
    tenantInvitationResendOperation(container),
    sendNewInviteOperation(container),
  ];
  const openApiDocument = buildOpenApiDocument(operations, { serverUrl: container.publicUrl });
  app.get("/openapi.json", async () => openApiDocument);

  // An encapsulated scope, so its validator and body parsers apply to these paths only.
  await app.register(async (scope) => {
    scope.setValidatorCompiler(compileParameterValidator);
    scope.setSerializerCompiler(compileResponseSerializerOnFirstUse);
    acceptBodylessRequests(scope);
    for (const operation of operations) mount(scope, operation);
  });
}

const buildSerializer = SerializerSelector()();

/**
 * Fastify's own response serializer (fast-json-stringify), compiled on the first answer with its status
 * rather than at start-up: four operations by eleven statuses took a tenth of start-up.
 */
const compileResponseSerializerOnFirstUse: FastifySerializerCompiler<JsonSchema> = (route) => {
  let serialize: ((body: unknown) => string) | undefined;
  return (body) =>
    (serialize ??= buildSerializer({ ...route, httpStatus: route.httpStatus ?? "default" }))(body);
};

function mount(scope: FastifyInstance, operation: RestOperation): void {
  const schema = fastifySchema(operation);
  for (const { path } of operation.routes) {
    scope.route({
      method: operation.method,
      url: path.replace(/\{(\w+)\}/g, ":$1"),
      schema,
      // Validation failures reach the handler, which answers them in the document's own 400 body.
      attachValidation: true,
      errorHandler: (error, request, reply) => {
        if (error instanceof RequestRateLimited) return send(reply, operation.refuse(error.refusal));
        const failure = describeHttpError(error, request.log);
        return reply.code(failure.status).send(operation.failureBody(failure));
      },
      handler: async (request, reply) => {
        const { validationError } = request;
        const restRequest: RestRequest = {
          id: request.id,
          params: request.params as RestRequest["params"],
          query: request.query as RestRequest["query"],
          headers: request.headers,
          fieldErrors: validationError ? fieldErrorsOf(validationError, operation.parameters) : null,
        };
        return send(reply, await operation.handle(restRequest));
      },
    });
  }
}

function send(reply: FastifyReply, answer: RestReply): FastifyReply {
  if (answer.retryAfterSeconds !== undefined) {
    void reply.header("retry-after", String(answer.retryAfterSeconds));
  }
  if (answer.confidential) void reply.header("cache-control", "no-store");
  // RFC 9110: a 401 names the scheme that would be accepted.
  if (answer.status === 401) void reply.header("www-authenticate", WWW_AUTHENTICATE);
  return reply.code(answer.status).send(answer.body);
}

/** Fastify's schema for the operation: one object per parameter location, and the response bodies. */
function fastifySchema({ parameters, responses }: RestOperation): FastifySchema {
  const schema: Record<string, unknown> = {
    response: Object.fromEntries(
      Object.entries(responses).map(([status, { body }]) => [status, body.schema]),
    ),
  };
  const parts: readonly [ParameterLocation, keyof FastifySchema][] = [
    ["path", "params"],
    ["query", "querystring"],
    ["header", "headers"],
  ];
  for (const [location, part] of parts) {
    const specs = parameters.filter((p) => p.in === location);
    if (specs.length === 0) continue;
    // Request headers arrive lower-cased; a custom validator gets the schema as written, so match that here.
    const key = (name: string) => (location === "header" ? name.toLowerCase() : name);
    schema[part] = {
      type: "object",
      properties: Object.fromEntries(specs.map((p) => [key(p.name), p.schema])),
      required: specs.filter((p) => p.required).map((p) => key(p.name)),
    };
  }
  return schema;
}
