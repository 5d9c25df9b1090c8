import { isAbstractType, lexicographicSortSchema } from "graphql";
import { buildGraphQLSchema } from "./build-schema.js";

/**
 * Every union and interface of the served schema with the object types it may be, in the shape Apollo
 * Client's `new InMemoryCache({ possibleTypes })` takes. Without it the cache cannot tell that, say,
 * PermissionDenied implements UserError, and drops the fields of `... on UserError { code message }`.
 */
export function servedPossibleTypes(): Record<string, string[]> {
  const schema = lexicographicSortSchema(buildGraphQLSchema());
  const possibleTypes: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.name.startsWith("__")) continue;
    possibleTypes[type.name] = schema
      .getPossibleTypes(type)
      .map((member) => member.name)
      .sort();
  }
  return possibleTypes;
}

/** possible-types.json as committed next to schema.graphql: sorted, so it diffs cleanly. */
export function servedPossibleTypesJson(): string {
  return JSON.stringify(servedPossibleTypes(), null, 2) + "\n";
}
