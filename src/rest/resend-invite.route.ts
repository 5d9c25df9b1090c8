import type { Container } from "../container.js";
import { isUuid } from "../invitations/entity-ref.js";
import { ignoredJsonBody } from "./bodyless-requests.js";
import {
  CODED_ERROR_DESCRIPTIONS,
  CODED_ERROR_EXAMPLES,
  codedErrorBody,
  codedErrorReply,
  codedFailureBody,
} from "./coded-error.js";
import { idempotencyKeyHeaderParameter, userUuidPathParameter, uuidSchema } from "./parameters.js";
import { callContext, resendForRequest } from "./resend-call.js";
import { errorResponses } from "./responses.js";
import type { NamedSchema, RestOperation } from "./rest-operation.js";

// Seed 001: POST /v1/users/{id}/resend-invite, {id} the user uuid, X-Tenant-ID (uuid) required.

/** The id the document's example sends, both as the user and as X-Tenant-ID. */
const EXAMPLE_UUID = "2489E9AD-2EE2-8E00-8EC9-32D5F69181C0";

const inviteResentBody: NamedSchema = {
  name: "InviteResent",
  schema: {
    type: "object",
    required: ["message"],
    properties: { message: { type: "string" } },
    additionalProperties: false,
  },
};

export function resendInviteOperation({ service }: Container): RestOperation {
  return {
    method: "POST",
    routes: [{ path: "/v1/users/{id}/resend-invite", operationId: "resendUserInvite" }],
    tag: "Users",
    summary: "Resend invite email for an unverified user",
    description: "Sends the user's invitation again with a new link; the previous link stops working.",
    parameters: [
      { ...userUuidPathParameter, example: EXAMPLE_UUID },
      {
        name: "X-Tenant-ID",
        in: "header",
        required: true,
        description:
          "Tenant identifier. Must match the tenant associated with the credential. Returns 403 " +
          "tenant_mismatch if the credential and header belong to different tenants.",
        schema: uuidSchema,
        expectation: "must be a UUID",
        example: EXAMPLE_UUID,
      },
      idempotencyKeyHeaderParameter,
    ],
    // The document's example sends no body; an ignored JSON one is accepted as on the other paths.
    requestBody: ignoredJsonBody(),
    responses: {
      200: {
        description: "Invite resent.",
        body: inviteResentBody,
        example: { message: "Invite resent to dario@acme.test." },
      },
      ...errorResponses(
        codedErrorBody,
        {
          400: "invalid_request: the path id or X-Tenant-ID is not a UUID, or X-Tenant-ID is missing.",
          ...CODED_ERROR_DESCRIPTIONS,
        },
        CODED_ERROR_EXAMPLES,
      ),
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
