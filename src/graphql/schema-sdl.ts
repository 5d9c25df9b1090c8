import { lexicographicSortSchema, printSchema } from "graphql";
import { buildGraphQLSchema } from "./build-schema.js";

/** The served schema as SDL, sorted so the committed file diffs cleanly. */
export function servedSchemaSdl(): string {
  return printSchema(lexicographicSortSchema(buildGraphQLSchema())) + "\n";
}
