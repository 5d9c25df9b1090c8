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
  assertValidSchema(schema);
  assertEveryOperationHasAccessRule(schema);
  return schema;
}
