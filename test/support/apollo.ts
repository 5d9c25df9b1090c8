import type { ApolloServer } from "@apollo/server";
import pino from "pino";
import { createApolloServer } from "../../src/graphql/apollo.js";
import type { GraphQLContext } from "../../src/graphql/context.js";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createHarness, type Harness } from "./harness.js";

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
    {
      contextValue: {
        call: h.call(key, tenant),
        service: h.container.service,
        webhooks: h.container.webhooks,
        now: h.now,
      },
    },
  );
  if (response.body.kind !== "single") throw new Error("expected a single result");
  return response.body.singleResult as never;
}

export interface ResolverHarness {
  /** This test's database, clock and tokens (fresh for every test). */
  readonly h: Harness;
  run(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
    tenant?: string | null,
  ): ReturnType<typeof execute>;
}

/** The hooks every resolver test file needs: one Apollo per file, a fresh database for every test. */
export function useResolverHarness(): ResolverHarness {
  let apollo: ApolloServer<GraphQLContext>;
  let current: Harness | undefined;
  beforeAll(async () => {
    apollo = await startApollo();
  });
  afterAll(() => apollo.stop());
  beforeEach(async () => {
    current = await createHarness();
  });
  afterEach(() => current?.dispose());
  const harness = () => {
    if (!current) throw new Error("useResolverHarness: no test is running");
    return current;
  };
  return {
    get h() {
      return harness();
    },
    run: (query, variables = {}, key = null, tenant = null) =>
      execute(apollo, harness(), query, variables, key, tenant),
  };
}
