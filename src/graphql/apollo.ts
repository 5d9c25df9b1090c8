import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestListener } from "@apollo/server";
import { ApolloServerErrorCode, unwrapResolverError } from "@apollo/server/errors";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { ErrorCode } from "../invitations/errors.js";
import { buildGraphQLSchema } from "./build-schema.js";
import type { GraphQLContext } from "./context.js";

/**
 * Codes a client can act on; anything else is a fault of ours and is masked. Two kinds: GraphQL's standard
 * codes for a document or variables that do not fit the schema (the contract keeps those standard), and our
 * ErrorCode values for refusals by the API's rules (queryRefusal), the same codes the UserError members carry.
 */
const CLIENT_ERROR_CODES = new Set<unknown>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ...Object.values(ErrorCode),
]);

/**
 * Limits on one GraphQL document. Depth and cost also count introspection (graphql-armor's `ignoreIntrospection`
 * can be bypassed with a fragment named `__schema`), so they sit just above what GraphiQL's introspection query
 * needs: depth 15 and cost 15 581. Our own schema has no cycles: real operations are at most 5 deep, and one
 * full page of 100 invitations with every field costs 17 431.
 */
export const GRAPHQL_LIMITS = {
  /** Lexical tokens: bounds parsing work. Our largest document (the IDE's) has about 100. */
  tokens: 1000,
  /** Response nesting, fragments flattened. */
  depth: 15,
  cost: 20_000,
  /** Aliased fields: each alias of a mutation is one more operation in a single rate-limited request. */
  aliases: 10,
  directives: 10,
} as const;

/**
 * graphql-armor's validation rules. Apollo validates a document once and caches it, so a repeated operation
 * never runs them again. Its token limit (a plugin that parses every document a second time and answers 500)
 * and its suggestion mask (which misses enum values) are replaced by `parseOptions.maxTokens` and `formatError`.
 */
const ARMOR_RULES = new ApolloArmor({
  maxTokens: { enabled: false },
  blockFieldSuggestion: { enabled: false },
  maxDepth: { n: GRAPHQL_LIMITS.depth, flattenFragments: true, ignoreIntrospection: false },
  costLimit: { maxCost: GRAPHQL_LIMITS.cost, flattenFragments: true, ignoreIntrospection: false },
  maxAliases: { n: GRAPHQL_LIMITS.aliases },
  maxDirectives: { n: GRAPHQL_LIMITS.directives },
}).protect().validationRules;

/** graphql-js ends some messages with " Did you mean …?", naming fields, types or enum values. */
const SUGGESTION = / ?Did you mean .+\?$/s;

export interface ApolloOptions {
  readonly logger: Logger;
  /** GRAPHQL_INTROSPECTION: off in production unless turned on. */
  readonly introspection: boolean;
  /** Hides schema details (suggestions of field, type and enum names) from error messages. */
  readonly production?: boolean;
}

export function createApolloServer({
  logger,
  introspection,
  production = false,
}: ApolloOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema: buildGraphQLSchema(),
    logger,
    introspection,
    csrfPrevention: true,
    // Apollo's default, stated: a batch would multiply the work of one rate-limited request.
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: GRAPHQL_LIMITS.tokens },
    validationRules: ARMOR_RULES,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo installs cache control by default: a hook on every resolved field, for cache hints that no
      // response of ours can use (every operation is per caller, and mutations are never cached).
      ApolloServerPluginCacheControlDisabled(),
      logUnexpectedErrors(logger),
    ],
    // The process's own SIGTERM handler drains the HTTP server; Apollo's would re-raise the signal.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => {
      const masked = maskUnexpected(formatted, error);
      return production ? withoutSuggestions(masked) : masked;
    },
  });
}

/**
 * The code of an error the client can act on, or null for a fault of ours. Apollo refuses some requests
 * before parsing with a 400 and no code of its own (an automatic persisted query whose hash does not match
 * its query, or an unknown protocol version): those are the client's, reported as BAD_REQUEST.
 */
function clientErrorCode(error: unknown): string | null {
  const extensions = (error as { extensions?: Record<string, unknown> } | null)?.extensions;
  const code = extensions?.code;
  if (CLIENT_ERROR_CODES.has(code)) return code as string;
  const status = (extensions?.http as { status?: unknown } | undefined)?.status;
  if (code === undefined && typeof status === "number" && status >= 400 && status < 500) {
    return ApolloServerErrorCode.BAD_REQUEST;
  }
  return null;
}

/** Failures nobody can act on (bugs, the database gone) reach the client as a bare INTERNAL_SERVER_ERROR. */
function maskUnexpected(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = clientErrorCode(error);
  if (code !== null) {
    const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code } };
  }
  return {
    message: "Internal server error",
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ApolloServerErrorCode.INTERNAL_SERVER_ERROR },
  };
}

function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return { ...formatted, message: formatted.message.replace(SUGGESTION, "") };
}

/**
 * Logs what maskUnexpected hides, with the request id (formatError has no request to take it from). Errors
 * without a client code here are exactly the ones Apollo later formats as INTERNAL_SERVER_ERROR.
 */
function logUnexpectedErrors(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  // One listener for every request: the hot path allocates nothing for it.
  const listener: GraphQLRequestListener<GraphQLContext> = {
    async didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) {
        if (clientErrorCode(error) !== null) continue;
        logger.error(
          { reqId: contextValue.call.requestId, err: unwrapResolverError(error), path: error.path },
          "unexpected GraphQL error",
        );
      }
    },
  };
  return { requestDidStart: async () => listener };
}
