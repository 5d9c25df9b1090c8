import type { Container } from "../container.js";
import { effectiveStatus } from "../invitations/model.js";
import type { ResendInvitationSuccess } from "../invitations/results.js";
import { ignoredJsonBody } from "./bodyless-requests.js";
import { dateTime, isoTime, uuidString } from "./json-fields.js";
import {
  idempotencyKeyHeaderParameter,
  optionalTenantHeaderParameter,
  positiveIntegerSchema,
} from "./parameters.js";
import { snakeCaseRefusal, type ResendRefusal } from "./refusals.js";
import { callContext, resendForRequest } from "./resend-call.js";
import { errorResponses } from "./responses.js";
import type { NamedSchema, RestOperation, RestReply } from "./rest-operation.js";

// Seed 000: POST /api/v1/users/{id}/resend_invitation, {id} the integer user id.

/** Named as the document's own `$ref: #/components/schemas/Error`. */
const errorBody: NamedSchema = {
  name: "Error",
  schema: {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: {
            type: "string",
            description: "e.g. missing_email, service_account, already_verified, rate_limited, not_found.",
          },
          message: {
            type: "string",
            description:
              "Human-readable; for forbidden, followed by the notices of the policies that denied it.",
          },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
};

const successBody: NamedSchema = {
  name: "UserInvitationSent",
  schema: {
    type: "object",
    required: ["data", "meta"],
    properties: {
      data: {
        type: "object",
        description: "The invited user.",
        required: ["id", "uuid", "email", "name", "role"],
        properties: {
          id: { type: "integer" },
          uuid: uuidString,
          email: { type: "string", format: "email" },
          name: { type: "string" },
          role: { type: "string", enum: ["admin", "member"] },
          kind: { type: "string", enum: ["human", "service_account"] },
          email_verified: { type: "boolean" },
          invitation_status: { type: "string", enum: ["pending", "accepted", "revoked", "expired"] },
          invitation_expires_at: dateTime,
          created_at: dateTime,
          updated_at: dateTime,
        },
        additionalProperties: true,
      },
      meta: {
        type: "object",
        required: ["invitation_sent_to", "inviter_id"],
        properties: {
          invitation_sent_to: { type: "string", format: "email" },
          inviter_id: {
            type: "integer",
            description: "Who first invited the user (the caller when none is recorded).",
          },
        },
      },
    },
  },
};

export function usersResendInvitationOperation({ service, now }: Container): RestOperation {
  const refuse = (refusal: ResendRefusal): RestReply => {
    const { status, code, message, notices, retryAfterSeconds } = snakeCaseRefusal(refusal);
    // The document's error body has no field for policy notices: they complete the message instead.
    const text = notices && notices.length > 0 ? `${message} ${notices.join(" ")}` : message;
    return { status, body: { error: { code, message: text } }, retryAfterSeconds };
  };
  return {
    method: "POST",
    // The document's own operationId; the other paths' ids follow its pattern (verb, what, document's noun).
    routes: [{ path: "/api/v1/users/{id}/resend_invitation", operationId: "resendUserInvitation" }],
    tag: "Users",
    summary: "Resend an invitation email",
    description:
      "Re-sends the invitation email to the user with a new link. Admin-only. MCP service accounts and " +
      "users without email are rejected.",
    parameters: [
      {
        name: "id",
        in: "path",
        required: true,
        description: "The user's integer id.",
        schema: positiveIntegerSchema,
        expectation: "must be a positive integer",
        example: 1,
      },
      optionalTenantHeaderParameter,
      idempotencyKeyHeaderParameter,
    ],
    // The document's example posts `{}`.
    requestBody: ignoredJsonBody({}),
    responses: {
      200: {
        description: "Invitation email sent (queued for delivery).",
        body: successBody,
        example: {
          data: {
            id: 1,
            uuid: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0001",
            email: "bob@acme.test",
            name: "Bob Pending",
            role: "member",
            kind: "human",
            email_verified: false,
            invitation_status: "pending",
            invitation_expires_at: "2026-03-08T12:00:00.000Z",
            created_at: "2026-03-01T12:00:00.000Z",
            updated_at: "2026-03-01T12:00:00.000Z",
          },
          meta: { invitation_sent_to: "bob@acme.test", inviter_id: 10 },
        },
      },
      ...errorResponses(
        errorBody,
        { 400: "The id is not a positive integer (invalid_request)." },
        {
          // The document's 422: "Unprocessable (missing email, MCP service account)".
          422: {
            error: {
              code: "missing_email",
              message: "The user has no email address to send an invitation to.",
            },
          },
        },
      ),
    },
    async handle(request) {
      const input = { userId: request.params.id };
      const result = await resendForRequest(service, request, callContext(request), input);
      if (result.kind === "ResendInvitationSuccess") return { status: 200, body: userResent(result, now()) };
      return refuse(result);
    },
    refuse,
    failureBody: ({ code, message }) => ({ error: { code, message } }),
  };
}

function userResent({ details, invitedBy, sentTo }: ResendInvitationSuccess, now: number) {
  const { invitee, invitation } = details;
  return {
    data: {
      id: invitee.id,
      uuid: invitee.uuid,
      // The invitee's current address: the one the email was queued for.
      email: sentTo,
      name: invitee.name,
      role: invitee.role,
      kind: invitee.kind,
      email_verified: invitee.emailVerifiedAt !== null,
      invitation_status: effectiveStatus(invitation, now).toLowerCase(),
      invitation_expires_at: isoTime(invitation.expiresAt),
      created_at: isoTime(invitee.createdAt),
      updated_at: isoTime(invitee.updatedAt),
    },
    meta: { invitation_sent_to: sentTo, inviter_id: invitedBy.id },
  };
}
