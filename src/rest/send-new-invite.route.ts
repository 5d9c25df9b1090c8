import type { Container } from "../container.js";
import { effectiveStatus, type User } from "../invitations/model.js";
import type { ResendInvitationSuccess } from "../invitations/results.js";
import { ignoredJsonBody } from "./bodyless-requests.js";
import {
  CODED_ERROR_DESCRIPTIONS,
  CODED_ERROR_EXAMPLES,
  codedErrorBody,
  codedErrorReply,
  codedFailureBody,
} from "./coded-error.js";
import { dateTime, isoTime, isoTimeOrNull, nullableDateTime, uuidString } from "./json-fields.js";
import {
  idempotencyKeyHeaderParameter,
  optionalTenantHeaderParameter,
  userUuidPathParameter,
} from "./parameters.js";
import { callContext, resendForRequest } from "./resend-call.js";
import { errorResponses } from "./responses.js";
import type { JsonSchema, NamedSchema, RestOperation } from "./rest-operation.js";

// Seed 003: POST /public/v1/accounts/account-users/{id}/send-new-invite, {id} the user uuid; answers the
// account-user object of the document, with errors as in 001.

/** Parts of the document's account-user that this service does not track: always empty here. */
const OMITTED = ["groups", "buyers", "modules"];

const nullableString = { type: ["string", "null"] } as const;

const actorSchema: JsonSchema = {
  type: "object",
  description:
    "The acting user. (The document renders it character by character: a defect of its generator.)",
  required: ["id", "name"],
  properties: { id: uuidString, name: { type: "string" } },
  additionalProperties: false,
};

const momentSchema: JsonSchema = {
  type: "object",
  required: ["at"],
  properties: { at: nullableDateTime },
  additionalProperties: false,
};

// Item shapes as the document defines them, for clients that read these lists.
const groupSchema: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    description: { type: "string" },
    logo: { type: "string" },
    isDefault: { type: "boolean" },
  },
};
const buyerSchema: JsonSchema = {
  type: "object",
  properties: { id: { type: "string" }, icon: { type: "string" }, name: { type: "string" } },
};
const moduleSchema: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    description: { type: "string" },
    name: { type: "string" },
    filters: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
    settings: { type: "object", additionalProperties: true },
  },
};

const accountUserBody: NamedSchema = {
  name: "AccountUser",
  schema: {
    type: "object",
    required: [
      "id",
      "audit",
      "$meta",
      "user",
      "groups",
      "buyers",
      "modules",
      "account",
      "invitation",
      "lastLoginAt",
    ],
    properties: {
      id: { ...uuidString, description: "The account-user: the user's uuid." },
      audit: {
        type: "object",
        required: ["created", "updated", "invitationAcceptedAt", "access", "joined"],
        properties: {
          created: {
            type: "object",
            description: "When the user was added, and who invited them.",
            required: ["at", "by"],
            properties: { at: dateTime, by: actorSchema },
            additionalProperties: false,
          },
          updated: {
            type: "object",
            description: "This send, and the admin who made it.",
            required: ["at", "by"],
            properties: { at: dateTime, by: actorSchema },
            additionalProperties: false,
          },
          invitationAcceptedAt: nullableDateTime,
          access: { ...momentSchema, description: "Last sign-in." },
          joined: { ...momentSchema, description: "When the user verified their email by accepting." },
        },
        additionalProperties: false,
      },
      $meta: {
        type: "object",
        required: ["omitted"],
        properties: { omitted: { type: "array", items: { type: "string" } } },
        additionalProperties: false,
      },
      user: {
        type: "object",
        required: ["id", "icon", "name"],
        properties: { id: uuidString, icon: nullableString, name: { type: "string" } },
        additionalProperties: false,
      },
      groups: { type: "array", items: groupSchema },
      buyers: { type: "array", items: buyerSchema },
      modules: { type: "array", items: moduleSchema },
      account: {
        type: "object",
        description: "The tenant.",
        required: ["id", "icon", "type", "status", "name"],
        properties: {
          id: uuidString,
          icon: nullableString,
          type: nullableString,
          status: { type: "string" },
          name: { type: "string" },
        },
        additionalProperties: false,
      },
      invitation: {
        type: "object",
        required: ["url", "status"],
        properties: {
          url: {
            type: ["string", "null"],
            format: "uri",
            description:
              "The new accept link, for an admin to deliver by hand; null when the caller is not an admin (a " +
              "policy may let members resend) or when replaying an Idempotency-Key.",
          },
          status: { type: "string", enum: ["pending", "accepted", "revoked", "expired"] },
        },
        additionalProperties: false,
      },
      lastLoginAt: nullableDateTime,
    },
    additionalProperties: false,
  },
};

/**
 * The document's example response with its placeholders ("text", the spelled-out "[Circular Reference]")
 * replaced by values of their documented types; its timestamps are kept.
 */
const ACCOUNT_USER_EXAMPLE = {
  id: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0015",
  audit: {
    created: {
      at: "2025-06-22T14:36:56.059Z",
      by: { id: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0010", name: "Ada Admin" },
    },
    updated: {
      at: "2025-06-22T14:36:56.059Z",
      by: { id: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0010", name: "Ada Admin" },
    },
    invitationAcceptedAt: null,
    access: { at: null },
    joined: { at: null },
  },
  $meta: { omitted: OMITTED },
  user: { id: "0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0015", icon: null, name: "Eve Expired" },
  groups: [],
  buyers: [],
  modules: [],
  account: {
    id: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0",
    icon: null,
    type: "buyer",
    status: "active",
    name: "Acme Procurement",
  },
  invitation: {
    url: "http://127.0.0.1:4000/invitations/accept?token=EXAMPLE-TOKEN",
    status: "pending",
  },
  lastLoginAt: null,
};

export function sendNewInviteOperation({ service, now }: Container): RestOperation {
  return {
    method: "POST",
    routes: [
      {
        path: "/public/v1/accounts/account-users/{id}/send-new-invite",
        operationId: "sendAccountUserNewInvite",
      },
    ],
    tag: "Account users",
    summary: "Send New Invitation",
    description:
      "Send new invitation when invite expires (or is still pending): a new link replaces the old one.",
    parameters: [
      { ...userUuidPathParameter, example: ACCOUNT_USER_EXAMPLE.id },
      optionalTenantHeaderParameter,
      idempotencyKeyHeaderParameter,
    ],
    // The document's example sends no body; an ignored JSON one is accepted as on the other paths.
    requestBody: ignoredJsonBody(),
    responses: {
      200: {
        description: "OK: the account-user with its new invitation.",
        body: accountUserBody,
        example: ACCOUNT_USER_EXAMPLE,
      },
      ...errorResponses(
        codedErrorBody,
        { 400: "invalid_request: the path id is not a UUID.", ...CODED_ERROR_DESCRIPTIONS },
        CODED_ERROR_EXAMPLES,
      ),
    },
    async handle(request) {
      const result = await resendForRequest(service, request, callContext(request), {
        userId: request.params.id,
      });
      if (result.kind !== "ResendInvitationSuccess") return codedErrorReply(result);
      return { status: 200, body: accountUser(result, now()), confidential: true };
    },
    refuse: codedErrorReply,
    failureBody: codedFailureBody,
  };
}

function accountUser({ details, resentBy, invitedBy, acceptUrl }: ResendInvitationSuccess, now: number) {
  const { invitee, invitation, tenant } = details;
  return {
    id: invitee.uuid,
    audit: {
      created: { at: isoTime(invitee.createdAt), by: actor(invitedBy) },
      updated: { at: isoTime(invitation.updatedAt), by: actor(resentBy) },
      invitationAcceptedAt: isoTimeOrNull(invitation.acceptedAt),
      access: { at: isoTimeOrNull(invitee.lastLoginAt) },
      joined: { at: isoTimeOrNull(invitee.emailVerifiedAt) },
    },
    $meta: { omitted: OMITTED },
    user: { id: invitee.uuid, icon: invitee.icon, name: invitee.name },
    groups: [],
    buyers: [],
    modules: [],
    account: {
      id: tenant.uuid,
      icon: tenant.icon,
      type: tenant.type,
      status: tenant.status,
      name: tenant.name,
    },
    // The link is a credential: only an admin may be handed it, whatever the policies let others resend.
    invitation: {
      url: resentBy.role === "admin" ? acceptUrl : null,
      status: effectiveStatus(invitation, now).toLowerCase(),
    },
    lastLoginAt: isoTimeOrNull(invitee.lastLoginAt),
  };
}

function actor(user: User) {
  return { id: user.uuid, name: user.name };
}
