import type { ApolloServer } from "@apollo/server";
import pino from "pino";
import { createApolloServer } from "../../src/graphql/apollo.js";
import type { GraphQLContext } from "../../src/graphql/context.js";
import type { Harness } from "./harness.js";

export async function startApollo(): Promise<ApolloServer<GraphQLContext>> {
  const apollo = createApolloServer({ logger: pino({ level: "silent" }), introspection: true });
  await apollo.start();
  return apollo;
}

/** Runs one operation through Apollo's full pipeline (parse, validate, execute, format) without HTTP. */
export async function execute(
  apollo: ApolloServer<GraphQLContext>,
  h: Harness,
  query: string,
  variables: Record<string, unknown> = {},
  key: string | null = null,
  tenant: string | null = null,
): Promise<{
  data?: Record<string, unknown> | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}> {
  const response = await apollo.executeOperation(
    { query, variables },
    { contextValue: { call: h.call(key, tenant), service: h.container.service, now: h.now } },
  );
  if (response.body.kind !== "single") throw new Error("expected a single result");
  return response.body.singleResult as never;
}
