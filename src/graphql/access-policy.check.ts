import type { GraphQLSchema } from "graphql";
import { isDeclaredOperation } from "../invitations/authorization.js";

/**
 * Closed by default: every root Query and Mutation field must be a declared operation (an action of the
 * policy schema, which policies may permit), or the schema is refused at start-up. Checked once, so it costs
 * nothing per request.
 */
export function assertEveryOperationHasAccessRule(schema: GraphQLSchema): void {
  const roots = [schema.getQueryType(), schema.getMutationType()];
  const undeclared = roots.flatMap((root) =>
    root ? Object.keys(root.getFields()).filter((field) => !isDeclaredOperation(field)) : [],
  );
  if (undeclared.length > 0) {
    throw new Error(
      `No policy action for ${undeclared.join(", ")}: add it to OPERATIONS (src/invitations/authorization.ts) ` +
        "and to policies/schema.cedarschema before serving it.",
    );
  }
}
