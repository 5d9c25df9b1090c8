import { GraphQLError } from "graphql";
import type { AccessError } from "../invitations/errors.js";

/**
 * Queries return plain types, so their access refusals travel as GraphQL errors carrying the same stable
 * code that mutations return as data.
 */
export function accessErrorToGraphQLError(error: AccessError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.kind === "PermissionDenied" ? { notices: error.notices } : {}) },
  });
}
