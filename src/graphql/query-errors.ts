import { GraphQLError } from "graphql";
import type { AccessError, InvalidInput } from "../invitations/errors.js";

/**
 * Queries return plain types, so their refusals travel as top-level GraphQL errors. Their
 * `extensions.code` is the same ErrorCode value the mutations' UserError members carry (INVALID_INPUT,
 * not GraphQL's BAD_USER_INPUT): one set of codes for clients to switch on, whichever way a refusal comes.
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
        extensions: { code: error.code, fieldErrors: error.fieldErrors },
      });
    default: {
      const _exhaustive: never = error;
      throw new Error(`unmapped refusal ${JSON.stringify(_exhaustive)}`);
    }
  }
}
