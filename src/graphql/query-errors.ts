import { GraphQLError } from "graphql";
import type { AccessError, InvalidInput } from "../invitations/errors.js";

/**
 * Queries return plain types, so their refusals travel as GraphQL errors carrying the same stable codes
 * that mutations return as data (bad arguments use GraphQL's usual BAD_USER_INPUT).
 */
export function queryRefusal(error: AccessError | InvalidInput): GraphQLError {
  switch (error.kind) {
    case "Unauthenticated":
    case "TenantMismatch":
      return new GraphQLError(error.message, { extensions: { code: error.code } });
    case "PermissionDenied":
      return new GraphQLError(error.message, { extensions: { code: error.code, notices: error.notices } });
    case "InvalidInput":
      return new GraphQLError(error.message, {
        extensions: { code: "BAD_USER_INPUT", fieldErrors: error.fieldErrors },
      });
    default: {
      const _exhaustive: never = error;
      throw new Error(`unmapped refusal ${JSON.stringify(_exhaustive)}`);
    }
  }
}
