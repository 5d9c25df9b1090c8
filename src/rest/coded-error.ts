import type { HttpFailure } from "../http/http-errors.js";
import { snakeCaseRefusal, type ResendRefusal } from "./refusals.js";
import type { NamedSchema, RestReply } from "./rest-operation.js";

/** The error body of 001 (and 003, which answers "as 6.2"). */
export const codedErrorBody: NamedSchema = {
  name: "CodedError",
  schema: {
    type: "object",
    required: ["code", "message"],
    properties: {
      code: {
        type: "string",
        description: 'Machine-readable error code (e.g. "not_found", "tenant_mismatch").',
      },
      message: { type: "string", description: "Human-readable description of the error." },
      details: {
        type: "object",
        additionalProperties: true,
        description:
          "Optional additional context: `retryAfterSeconds` (rate_limited), `fieldErrors` (invalid_request).",
      },
      notices: {
        type: "array",
        items: { type: "string" },
        description:
          "Policy notices from determining Cedar rules, if applicable: the @notice texts of the policies " +
          "that denied a `forbidden` answer, or one generic notice when no policy permits the operation.",
      },
    },
    additionalProperties: false,
  },
};

/** Examples of 001's two documented error responses ("User not found.", "User is already verified."). */
export const CODED_ERROR_EXAMPLES = {
  404: { code: "not_found", message: "No user with this id exists in your tenant." },
  409: {
    code: "already_verified",
    message: "The user has already verified their email address; there is nothing to resend.",
  },
} as const;

/** What 001's and 003's error statuses mean; each route adds its own 400. */
export const CODED_ERROR_DESCRIPTIONS = {
  403: "forbidden (the authorization policies deny it; notices say why), or tenant_mismatch.",
  404: "not_found: user not found.",
  409: "already_verified: user is already verified; or idempotency_key_in_use.",
  422: "missing_email or service_account; or idempotency_key_reused.",
  429:
    "rate_limited (the invitation was sent moments ago, or too many requests with this credential): " +
    "details.retryAfterSeconds and Retry-After say when to try again.",
} as const;

interface CodedErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly notices?: readonly string[];
}

export function codedErrorReply(refusal: ResendRefusal): RestReply {
  const { status, code, message, details, notices, retryAfterSeconds } = snakeCaseRefusal(refusal);
  const body: CodedErrorBody = { code, message, ...(details && { details }), ...(notices && { notices }) };
  return { status, body, retryAfterSeconds };
}

export function codedFailureBody({ code, message }: HttpFailure): CodedErrorBody {
  return { code, message };
}
