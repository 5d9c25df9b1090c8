import type { Container } from "../container.js";
import { isUuid } from "../invitations/entity-ref.js";
import {
  CODED_ERROR_DESCRIPTIONS,
  codedErrorReply,
  codedErrorSchema,
  codedFailureBody,
} from "./coded-error.js";
import { idempotencyKeyHeaderParameter, userUuidPathParameter, uuidSchema } from "./parameters.js";
import { callContext, resendForRequest } from "./resend-call.js";
import { errorResponses } from "./responses.js";
import type { RestOperation } from "./rest-operation.js";

// Seed 001: POST /v1/users/{id}/resend-invite, {id} the user uuid, X-Tenant-ID (uuid) required.

export function resendInviteOperation({ service }: Container): RestOperation {
  return {
    method: "POST",
    routes: [{ path: "/v1/users/{id}/resend-invite", operationId: "resendInvite" }],
    tag: "Users",
    summary: "Resend invite email for an unverified user",
    description: "Sends the user's invitation again with a new link; the previous link stops working.",
    parameters: [
      userUuidPathParameter,
      {
        name: "X-Tenant-ID",
        in: "header",
        required: true,
        description:
          "Tenant identifier. Must match the tenant associated with the credential. Returns 403 " +
          "tenant_mismatch if the credential and header belong to different tenants.",
        schema: uuidSchema,
        expectation: "must be a UUID",
      },
      idempotencyKeyHeaderParameter,
    ],
    responses: {
      200: {
        description: "Invite resent.",
        schema: {
          type: "object",
          required: ["message"],
          properties: { message: { type: "string" } },
          additionalProperties: false,
        },
      },
      ...errorResponses(codedErrorSchema, {
        400: "invalid_request: the path id or X-Tenant-ID is not a UUID, or X-Tenant-ID is missing.",
        ...CODED_ERROR_DESCRIPTIONS,
      }),
    },
    async handle(request) {
      // The document makes X-Tenant-ID a uuid: any other value is a malformed request (400), never a
      // claim to another tenant.
      const call = callContext(request, { headerAccepted: isUuid });
      const result = await resendForRequest(service, request, call, { userId: request.params.id });
      if (result.kind !== "ResendInvitationSuccess") return codedErrorReply(result);
      return { status: 200, body: { message: `Invite resent to ${result.sentTo}.` } };
    },
    refuse: codedErrorReply,
    failureBody: codedFailureBody,
  };
}
