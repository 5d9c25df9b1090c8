import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchemaSync } from "type-graphql";
import { InvitationResolver } from "./resolvers/invitation.resolver.js";
import { ViewerResolver } from "./resolvers/viewer.resolver.js";

let schema: GraphQLSchema | undefined;

/** The served schema, built once per process (building is the slow part of start-up). */
export function buildGraphQLSchema(): GraphQLSchema {
  schema ??= buildSchemaSync({
    resolvers: [InvitationResolver, ViewerResolver],
    validate: false,
    emitSchemaFile: false,
  });
  return schema;
}
