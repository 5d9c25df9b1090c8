import type { GraphQLSchema } from "graphql";
import { isDeclaredOperation } from "../invitations/access-policy.js";

/**
 * Closed by default: every root Query and Mutation field must name its access rule in the policy table, or
 * the schema is refused at start-up. Checked once, so it costs nothing per request.
 */
export function assertEveryOperationHasAccessRule(schema: GraphQLSchema): void {
  const roots = [schema.getQueryType(), schema.getMutationType()];
  const undeclared = roots.flatMap((root) =>
    root ? Object.keys(root.getFields()).filter((field) => !isDeclaredOperation(field)) : [],
  );
  if (undeclared.length > 0) {
    throw new Error(
      `No access rule for ${undeclared.join(", ")}: add it to ACCESS_POLICY before serving it.`,
    );
  }
}
