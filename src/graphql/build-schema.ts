import "reflect-metadata";
import { assertValidSchema, type GraphQLSchema } from "graphql";
import { buildSchemaSync } from "type-graphql";
import { assertEveryOperationHasAccessRule } from "./access-policy.check.js";
import { AcceptInvitationResolver } from "./resolvers/accept-invitation.resolver.js";
import { AuditEventResolver } from "./resolvers/audit-event.resolver.js";
import { InvitationDeliveryResolver } from "./resolvers/invitation-delivery.resolver.js";
import { InvitationResolver } from "./resolvers/invitation.resolver.js";
import { ViewerResolver } from "./resolvers/viewer.resolver.js";
import { WebhookResolver } from "./resolvers/webhook.resolver.js";

let schema: GraphQLSchema | undefined;

/** The served schema, built once per process (building is the slow part of start-up). */
export function buildGraphQLSchema(): GraphQLSchema {
  if (schema) return schema;
  schema = buildSchemaSync({
    resolvers: [
      InvitationResolver,
      InvitationDeliveryResolver,
      AcceptInvitationResolver,
      AuditEventResolver,
      ViewerResolver,
      WebhookResolver,
    ],
    validate: false,
    emitSchemaFile: false,
    // type-graphql's check runs the whole introspection query (~0.1 s of start-up); the schema is validated
    // below instead, as graphql-js does before executing anything.
    skipCheck: true,
  });
  describeRootTypes(schema);
  assertValidSchema(schema);
  assertEveryOperationHasAccessRule(schema);
  return schema;
}

/**
 * type-graphql builds Query and Mutation with no way to describe them, and every type of the served schema
 * carries a description (npm run lint checks schema.graphql): set them here, before anything reads the schema.
 */
function describeRootTypes(built: GraphQLSchema): void {
  const query = built.getQueryType();
  const mutation = built.getMutationType();
  if (query) {
    query.description =
      "Reads, scoped to the API key's tenant. Refusals come as top-level errors coded with ErrorCode values.";
  }
  if (mutation) {
    mutation.description =
      "Changes, scoped to the API key's tenant. Each returns a union: its success or a UserError member.";
  }
}
