import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerErrorCode, unwrapResolverError } from "@apollo/server/errors";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { ErrorCode } from "../invitations/errors.js";
import { buildGraphQLSchema } from "./build-schema.js";
import type { GraphQLContext } from "./context.js";

/** Codes a client can act on; anything else is a fault of ours and is masked. */
const CLIENT_ERROR_CODES = new Set<unknown>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.PERMISSION_DENIED,
  ErrorCode.TENANT_MISMATCH,
]);

export interface ApolloOptions {
  readonly logger: Logger;
  /** Off in production unless the IDE is on (its docs and completion need it). */
  readonly introspection: boolean;
  readonly plugins?: ApolloServerPlugin<GraphQLContext>[];
}

export function createApolloServer({
  logger,
  introspection,
  plugins = [],
}: ApolloOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema: buildGraphQLSchema(),
    logger,
    introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...plugins],
    formatError: (formatted, error) => maskUnexpected(formatted, error, logger),
  });
}

/** Failures nobody can act on (bugs, the database gone) reach the client as a bare INTERNAL_SERVER_ERROR. */
function maskUnexpected(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (CLIENT_ERROR_CODES.has(code)) {
    const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger.error({ err: unwrapResolverError(error), path: formatted.path }, "unexpected GraphQL error");
  return {
    message: "Internal server error",
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
  };
}
