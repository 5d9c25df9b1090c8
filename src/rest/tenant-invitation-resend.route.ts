import type { Container } from "../container.js";
import { effectiveStatus, type InvitationStatus } from "../invitations/model.js";
import type { ResendInvitationResult, ResendInvitationSuccess } from "../invitations/results.js";
import { ignoredJsonBody } from "./bodyless-requests.js";
import { dateTime, isoTime, isoTimeOrNull, nullableDateTime, uuidString } from "./json-fields.js";
import {
  idempotencyKeyHeaderParameter,
  optionalTenantHeaderParameter,
  positiveIntegerSchema,
} from "./parameters.js";
import { callContext, resendForRequest } from "./resend-call.js";
import { errorResponses } from "./responses.js";
import type { JsonSchema, NamedSchema, RestOperation, RestReply } from "./rest-operation.js";

// Seed 002: PUT /tenant/{tenantId}/admin/user/invitation/resend?id={invitationId}, answered in a Result
// wrapper; also served at the document's example path /api/tenant/{tenantId}/invitations/resend.

const STATUS_NAMES = {
  PENDING: "Pending",
  ACCEPTED: "Accepted",
  REVOKED: "Revoked",
  EXPIRED: "Expired",
} as const satisfies Record<InvitationStatus, string>;

const invitationModelSchema: JsonSchema = {
  type: "object",
  description: "UserInvitationModel",
  required: ["id", "email", "status", "createdAt", "expiresAt"],
  properties: {
    id: { type: "integer" },
    uuid: uuidString,
    tenantId: { type: "integer" },
    userId: { type: "integer" },
    name: { type: "string", description: "The invitee's name." },
    email: { type: "string", format: "email" },
    status: { type: "string", enum: Object.values(STATUS_NAMES) },
    sendCount: { type: "integer" },
    inviterId: { type: ["integer", "null"] },
    createdAt: dateTime,
    lastSentAt: nullableDateTime,
    expiresAt: dateTime,
  },
  additionalProperties: false,
};

const successBody: NamedSchema = {
  name: "UserInvitationModelCollectionResult",
  schema: {
    type: "object",
    description: "Result<ICollection<UserInvitationModel>> holding the resent invitation.",
    required: ["isSuccess", "isFailure", "error", "value"],
    properties: {
      isSuccess: { type: "boolean", const: true },
      isFailure: { type: "boolean", const: false },
      error: { type: "null" },
      value: { type: "array", items: invitationModelSchema },
    },
    additionalProperties: false,
  },
};

const failureBody: NamedSchema = {
  name: "ResultFailure",
  schema: {
    type: "object",
    required: ["isSuccess", "isFailure", "error", "value"],
    properties: {
      isSuccess: { type: "boolean", const: false },
      isFailure: { type: "boolean", const: true },
      error: {
        type: "object",
        required: ["code", "message", "info"],
        properties: {
          code: {
            type: "string",
            description: "e.g. ValidationError, NotFound, InvitationNotPending, RateLimited.",
          },
          message: { type: "string" },
          info: { type: "array", items: { type: "string" } },
        },
        additionalProperties: false,
      },
      value: { type: "null" },
    },
    additionalProperties: false,
  },
};

/** The document's example response, completed with the fields this service always answers. */
const SUCCESS_EXAMPLE = {
  isSuccess: true,
  isFailure: false,
  error: null,
  value: [
    {
      id: 9001,
      uuid: "5d0c3f1e-8f57-4d2e-b1c4-2f0e4f1a9001",
      tenantId: 1024,
      userId: 2,
      name: "Carla Pending",
      email: "carla@acme.test",
      status: "Pending",
      sendCount: 2,
      inviterId: 10,
      createdAt: "2024-03-15T14:45:00.000Z",
      lastSentAt: "2024-03-16T09:30:00.000Z",
      expiresAt: "2024-03-23T09:30:00.000Z",
    },
  ],
};

/** The document's own example of its error object. */
const VALIDATION_ERROR_EXAMPLE = {
  isSuccess: false,
  isFailure: true,
  error: {
    code: "ValidationError",
    message: "The request parameters failed validation.",
    info: ["The Name field is required.", "The Id field must be greater than 0."],
  },
  value: null,
};

export function tenantInvitationResendOperation({ service, now }: Container): RestOperation {
  return {
    method: "PUT",
    routes: [
      { path: "/tenant/{tenantId}/admin/user/invitation/resend", operationId: "resendTenantInvitation" },
      {
        path: "/api/tenant/{tenantId}/invitations/resend",
        operationId: "resendTenantInvitationAtExamplePath",
      },
    ],
    tag: "Invitations",
    summary: "ResendInvitation",
    description:
      "Resends an existing invitation, generating a new invitation email to the recipient. Only pending " +
      "(or expired) invitations can be resent.",
    parameters: [
      {
        name: "tenantId",
        in: "path",
        required: true,
        description: "Identifier of the tenant that owns the invitation: the credential's tenant, else 403.",
        schema: positiveIntegerSchema,
        expectation: "must be a positive integer",
        example: 1024,
      },
      {
        name: "id",
        in: "query",
        required: true,
        description: "Identifier of the invitation to resend.",
        schema: positiveIntegerSchema,
        expectation: "must be a positive integer",
        example: 9001,
      },
      optionalTenantHeaderParameter,
      idempotencyKeyHeaderParameter,
    ],
    // The document's example sends no body; an ignored JSON one is accepted as on the other paths.
    requestBody: ignoredJsonBody(),
    responses: {
      200: { description: "Invitation resent successfully.", body: successBody, example: SUCCESS_EXAMPLE },
      ...errorResponses(
        failureBody,
        {
          400: "ValidationError (id missing, not an integer or not positive), or InvitationNotPending.",
          403:
            "Forbidden (the authorization policies deny it; info holds their notices), or TenantMismatch " +
            "({tenantId} is not yours).",
          404: "NotFound: invitation does not exist in the tenant.",
          409: "AlreadyVerified (the invitee has verified their email), or IdempotencyKeyInUse.",
          422: "MissingEmail or ServiceAccount (the invitee cannot be invited), or IdempotencyKeyReused.",
        },
        { 400: VALIDATION_ERROR_EXAMPLE },
      ),
    },
    async handle(request) {
      // The path names the tenant; the service checks it, and X-Tenant-ID when sent, as any tenant claim.
      const call = callContext(request, { path: request.params.tenantId });
      const id = request.query.id;
      const input = { invitationId: typeof id === "string" ? id : null };
      return resultReply(await resendForRequest(service, request, call, input), now());
    },
    refuse: (refusal) => resultReply(refusal, now()),
    failureBody: ({ code, message }) => failure(pascalCase(code), message, []),
  };
}

function resultReply(result: ResendInvitationResult, now: number): RestReply {
  switch (result.kind) {
    case "ResendInvitationSuccess":
      return {
        status: 200,
        body: { isSuccess: true, isFailure: false, error: null, value: [invitationModel(result, now)] },
      };
    case "InvalidInput": {
      const info = result.fieldErrors.map((e) => `${e.path.join(".")}: ${e.message}`);
      return {
        status: 400,
        body: failure("ValidationError", "The request parameters failed validation.", info),
      };
    }
    case "InvitationNotPending":
      return {
        status: 400,
        body: failure("InvitationNotPending", result.message, [STATUS_NAMES[result.status]]),
      };
    case "Unauthenticated":
      return { status: 401, body: failure("Unauthorized", result.message, []) };
    case "PermissionDenied":
      return { status: 403, body: failure("Forbidden", result.message, result.notices) };
    case "TenantMismatch":
      return { status: 403, body: failure("TenantMismatch", result.message, []) };
    case "InvitationNotFound":
    case "UserNotFound":
      return { status: 404, body: failure("NotFound", result.message, []) };
    case "UserAlreadyVerified":
      return { status: 409, body: failure("AlreadyVerified", result.message, []) };
    case "UserHasNoEmail":
      return { status: 422, body: failure("MissingEmail", result.message, []) };
    case "ServiceAccountNotInvitable":
      return { status: 422, body: failure("ServiceAccount", result.message, []) };
    case "IdempotencyKeyReused":
      return { status: 422, body: failure("IdempotencyKeyReused", result.message, []) };
    case "IdempotencyKeyInUse":
      return { status: 409, body: failure("IdempotencyKeyInUse", result.message, []) };
    case "ResendRateLimited": {
      const { retryAfterSeconds } = result;
      const info = [`Retry after ${retryAfterSeconds} seconds.`];
      return { status: 429, body: failure("RateLimited", result.message, info), retryAfterSeconds };
    }
    default: {
      const _exhaustive: never = result;
      throw new Error(`unmapped outcome ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function failure(code: string, message: string, info: readonly string[]) {
  return { isSuccess: false, isFailure: true, error: { code, message, info }, value: null };
}

function invitationModel({ details, sentTo }: ResendInvitationSuccess, now: number) {
  const { invitation, invitee } = details;
  return {
    id: invitation.id,
    uuid: invitation.uuid,
    tenantId: invitation.tenantId,
    userId: invitee.id,
    name: invitee.name,
    email: sentTo,
    status: STATUS_NAMES[effectiveStatus(invitation, now)],
    sendCount: invitation.sendCount,
    inviterId: invitation.inviterId,
    createdAt: isoTime(invitation.createdAt),
    lastSentAt: isoTimeOrNull(invitation.lastSentAt),
    expiresAt: isoTime(invitation.expiresAt),
  };
}

/** `payload_too_large` → `PayloadTooLarge`: the document's codes are PascalCase. */
function pascalCase(snake: string): string {
  return snake.replace(/(?:^|_)([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}
