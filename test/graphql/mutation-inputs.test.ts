import type { ApolloServer } from "@apollo/server";
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  isUnionType,
  type GraphQLInputType,
} from "graphql";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_CREDENTIALS } from "../../src/auth/credentials.js";
import { createApolloServer } from "../../src/graphql/apollo.js";
import { buildGraphQLSchema } from "../../src/graphql/build-schema.js";
import type { GraphQLContext } from "../../src/graphql/context.js";
import type { InvitationService } from "../../src/invitations/invitation.service.js";
import type { WebhookService } from "../../src/webhooks/webhook.service.js";

// Every field of every mutation's input must reach the service call: a field added to an input type without
// its plumbing in the resolver fails here (as `resendInvitation`'s `idempotencyKey` once did). The walk is
// generated from the served schema, so a new field or mutation is covered without editing this file.

/** Fields that by design never reach the service: the resolver echoes them in its success payload. */
const ECHOED_ONLY = new Set(["clientMutationId"]);

/** One path to a leaf of a mutation's arguments, e.g. ["input", "idempotencyKey"]. */
type Leaf = { readonly path: readonly string[]; readonly type: GraphQLInputType; readonly required: boolean };

interface Call {
  readonly method: string;
  readonly input: unknown;
}

/**
 * A stand-in for the service that records what each mutation passed it and answers success, so the
 * resolver also renders its payload (where echoed fields appear). No database is involved.
 */
function recordingService<S extends object = InvitationService>(calls: Call[]): S {
  const details = {
    invitation: {
      id: 1,
      uuid: "00000000-0000-4000-8000-000000000001",
      status: "pending",
      expiresAt: Date.parse("2099-01-01T00:00:00Z"),
      sendCount: 1,
      lastSentAt: null,
      createdAt: 0,
    },
    invitee: { id: 2, uuid: "00000000-0000-4000-8000-000000000002", email: "invitee@example.test" },
    inviter: null,
    tenant: { id: 3, uuid: "00000000-0000-4000-8000-000000000003", name: "Tenant" },
  };
  const endpoint = {
    id: 4,
    uuid: "00000000-0000-4000-8000-000000000004",
    url: "https://hooks.example.test/",
    events: ["invitation.accepted"],
    status: "active",
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    previousSecretExpiresAt: null,
    createdAt: 0,
    updatedAt: 0,
  };
  const delivery = {
    id: 5,
    eventId: "msg_1",
    eventType: "invitation.accepted",
    payload: "{}",
    status: "queued",
    attempts: 0,
    lastStatusCode: null,
    lastError: null,
    responseExcerpt: null,
    nextAttemptAt: 0,
    createdAt: 0,
    deliveredAt: null,
  };
  return new Proxy({} as S, {
    get: (_target, method: string) => async (_call: unknown, input: unknown) => {
      calls.push({ method, input });
      return {
        kind: `${method[0]!.toUpperCase()}${method.slice(1)}Success`,
        details,
        sentTo: "invitee@example.test",
        acceptUrl: null,
        userCreated: false,
        replayed: false,
        endpoint,
        endpointId: endpoint.id,
        secret: "whsec_c2VjcmV0",
        delivery,
      };
    },
  });
}

/** Two different values a leaf of this type can take. */
function samples(type: GraphQLInputType, name: string): readonly [unknown, unknown] {
  if (type instanceof GraphQLNonNull) return samples(type.ofType, name);
  if (type instanceof GraphQLList) {
    const [a, b] = samples(type.ofType, name);
    return [[a], [b]];
  }
  if (type instanceof GraphQLEnumType) {
    const values = type.getValues();
    if (values.length < 2) throw new Error(`${type.name} has fewer than two values: sample it by hand`);
    return [values[0]!.name, values[1]!.name];
  }
  if (type instanceof GraphQLScalarType) {
    switch (type.name) {
      case "ID":
      case "String":
        return [`first-${name}`, `second-${name}`];
      case "Int":
        return [1, 2];
      case "Float":
        return [1.5, 2.5];
      case "Boolean":
        return [true, false];
      default:
        throw new Error(`no sample values for scalar ${type.name}: add them here`);
    }
  }
  throw new Error(`unexpected input type ${String(type)}`);
}

function leavesOf(type: GraphQLInputType, path: readonly string[], required: boolean): Leaf[] {
  const named = getNamedType(type);
  if (!(named instanceof GraphQLInputObjectType)) return [{ path, type, required }];
  return Object.values(named.getFields()).flatMap((field) =>
    leavesOf(field.type, [...path, field.name], required && field.type instanceof GraphQLNonNull),
  );
}

/** Arguments with every required leaf set to its first sample, and `leaf` set to the `variant` sample. */
function argumentsWith(leaves: readonly Leaf[], leaf: Leaf, variant: 0 | 1): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const each of leaves) {
    if (each !== leaf && !each.required) continue;
    let target = args;
    for (const key of each.path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[each.path.at(-1)!] = samples(each.type, each.path.join("."))[each === leaf ? variant : 0];
  }
  return args;
}

const schema = buildGraphQLSchema();
const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
const CASES = mutations.flatMap((mutation) => {
  const leaves = mutation.args.flatMap((arg) =>
    leavesOf(arg.type, [arg.name], arg.type instanceof GraphQLNonNull),
  );
  return leaves.map((leaf) => ({ name: `${mutation.name}(${leaf.path.join(".")})`, mutation, leaves, leaf }));
});

let apollo: ApolloServer<GraphQLContext>;
beforeAll(async () => {
  apollo = createApolloServer({ logger: pino({ level: "silent" }), introspection: false });
  await apollo.start();
});
afterAll(() => apollo.stop());

async function run(mutation: (typeof mutations)[number], args: Record<string, unknown>) {
  const calls: Call[] = [];
  const result = isUnionType(getNamedType(mutation.type)) ? getNamedType(mutation.type) : null;
  const success =
    result && isUnionType(result) ? result.getTypes().find((t) => /Success$/.test(t.name)) : null;
  const echoed = success ? Object.keys(success.getFields()).filter((name) => ECHOED_ONLY.has(name)) : [];
  const variables = mutation.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = mutation.args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const selection = success && echoed.length > 0 ? `... on ${success.name} { ${echoed.join(" ")} }` : "";
  const query = `mutation (${variables}) { payload: ${mutation.name}(${passed}) { __typename ${selection} } }`;
  const response = await apollo.executeOperation(
    { query, variables: args },
    {
      contextValue: {
        call: { credentials: NO_CREDENTIALS, requestId: "mutation-inputs" },
        service: recordingService(calls),
        webhooks: recordingService<WebhookService>(calls),
        now: () => 0,
      },
    },
  );
  if (response.body.kind !== "single") throw new Error("expected a single result");
  const { data, errors } = response.body.singleResult;
  expect(errors).toBeUndefined();
  expect(calls.map((call) => call.method)).toEqual([mutation.name]);
  return { serviceInput: JSON.stringify(calls[0]!.input), payload: data?.payload as Record<string, unknown> };
}

describe("every mutation input field", () => {
  it("is walked (the schema has mutations with inputs)", () => {
    expect(CASES.map((c) => c.name)).toContain("resendInvitation(input.idempotencyKey)");
  });

  it.each(CASES)("$name reaches the service", async ({ mutation, leaves, leaf }) => {
    const first = await run(mutation, argumentsWith(leaves, leaf, 0));
    const second = await run(mutation, argumentsWith(leaves, leaf, 1));
    const name = leaf.path.at(-1)!;
    if (ECHOED_ONLY.has(name)) {
      const [value] = samples(leaf.type, leaf.path.join("."));
      expect(first.payload[name], `${name} is echoed in the success payload`).toBe(value);
      return;
    }
    expect(
      second.serviceInput,
      `changing ${leaf.path.join(".")} changes what ${mutation.name} passes to the service`,
    ).not.toBe(first.serviceInput);
  });
});
