import type { NamedSchema, ResponseSpec } from "./rest-operation.js";

/** Every error status a resend path can answer: the service's refusals, then transport failures. */
const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500] as const;
type ErrorStatus = (typeof ERROR_STATUSES)[number];

const DEFAULT_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: "Malformed request: a parameter does not have its documented form.",
  401: "Missing, unknown or revoked API key (Authorization: Bearer KEY or X-Api-Key: KEY).",
  403:
    "The authorization policies deny it (by default: the caller is not an admin), or the request names " +
    "another tenant than the credential's.",
  404: "No such user in the caller's tenant (ids of other tenants get the same answer).",
  409:
    "Nothing to resend (the user has verified their email), or the first request under this " +
    "Idempotency-Key is still running.",
  413: "The request body is larger than the server accepts.",
  415: "A request body that is neither empty nor JSON.",
  422:
    "The user cannot be invited (no email address, or an MCP service account), or the Idempotency-Key was " +
    "used for another request.",
  429:
    "The invitation was sent moments ago, or the credential made too many requests; retry after the seconds " +
    "in Retry-After.",
  500: "Unexpected server error.",
};

/** One response per error status, all with the document's error body; examples where given. */
export function errorResponses(
  body: NamedSchema,
  descriptions: Partial<Record<ErrorStatus, string>> = {},
  examples: Partial<Record<ErrorStatus, unknown>> = {},
): Record<ErrorStatus, ResponseSpec> {
  return Object.fromEntries(
    ERROR_STATUSES.map((status) => [
      status,
      {
        description: descriptions[status] ?? DEFAULT_DESCRIPTIONS[status],
        body,
        ...(status in examples && { example: examples[status] }),
      },
    ]),
  ) as Record<ErrorStatus, ResponseSpec>;
}
