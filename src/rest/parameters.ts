import { IDEMPOTENCY_KEY_PATTERN } from "../invitations/idempotency.js";
import type { JsonSchema, ParameterSpec } from "./rest-operation.js";

/** Integer ids as the documents type them (int64); ours are positive. */
export const positiveIntegerSchema: JsonSchema = { type: "integer", format: "int64", minimum: 1 };
export const uuidSchema: JsonSchema = { type: "string", format: "uuid" };

/** `{id}` of 001 and 003: the user's uuid (any letter case). */
export const userUuidPathParameter: ParameterSpec = {
  name: "id",
  in: "path",
  required: true,
  description: "The user's uuid.",
  schema: uuidSchema,
  expectation: "must be a UUID",
};

/** §3: optional where a document does not fix it; the service compares it with the credential's tenant. */
export const optionalTenantHeaderParameter: ParameterSpec = {
  name: "X-Tenant-ID",
  in: "header",
  required: false,
  description:
    "Optional tenant uuid or integer id. When present it must be the credential's tenant, " +
    "else 403 tenant_mismatch.",
  schema: { type: "string" },
  expectation: "must be a tenant uuid or integer id",
};

/** Makes a retry safe: the same key and request replay the first success instead of sending again. */
export const idempotencyKeyHeaderParameter: ParameterSpec = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Optional; 1 to 255 visible ASCII characters, unique per request. A retry with the same key and target " +
    "gets the first answer again (no second email; the link is not shown twice); another target, 422.",
  // Checked with the other parameters, so a malformed key is reported as the header, not as a service input.
  schema: { type: "string", pattern: IDEMPOTENCY_KEY_PATTERN },
  expectation: "must be 1 to 255 visible ASCII characters",
};
