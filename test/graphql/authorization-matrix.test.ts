import { describe, expect, it } from "vitest";
import { buildGraphQLSchema } from "../../src/graphql/build-schema.js";
import { useResolverHarness } from "../support/apollo.js";
import { KEYS } from "../support/harness.js";

type Caller = "anonymous" | "member" | "otherTenantAdmin" | "admin";
const KEY_OF: Record<Caller, string | null> = {
  anonymous: null,
  member: KEYS.acmeMember,
  otherTenantAdmin: KEYS.globexAdmin,
  admin: KEYS.acmeAdmin,
};

/**
 * One row per root field of the served schema, aimed at Acme's data. Outcomes: a mutation's __typename,
 * or for queries `error:CODE`, `null`, or `data`. A field missing here fails the first test, so every new
 * operation must state who may call it.
 */
const MATRIX: Record<string, { document: string; expect: Record<Caller, string> }> = {
  resendInvitation: {
    document: `mutation { resendInvitation(input: { invitationId: "9001" }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      otherTenantAdmin: "InvitationNotFound",
      admin: "ResendInvitationSuccess",
    },
  },
  inviteUser: {
    document: `mutation { inviteUser(input: { email: "matrix@acme.test" }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      // Creates the address in the caller's own tenant: nothing of Acme's is touched.
      otherTenantAdmin: "InviteUserSuccess",
      admin: "InviteUserSuccess",
    },
  },
  revokeInvitation: {
    document: `mutation { revokeInvitation(input: { invitationId: "9001" }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      otherTenantAdmin: "InvitationNotFound",
      admin: "RevokeInvitationSuccess",
    },
  },
  acceptInvitation: {
    document: `mutation { acceptInvitation(input: { token: "not-a-real-token" }) { __typename } }`,
    expect: {
      anonymous: "InvalidInvitationToken",
      member: "InvalidInvitationToken",
      otherTenantAdmin: "InvalidInvitationToken",
      admin: "InvalidInvitationToken",
    },
  },
  invitation: {
    document: `{ invitation(id: "9001") { id } }`,
    expect: {
      anonymous: "error:UNAUTHENTICATED",
      member: "error:PERMISSION_DENIED",
      otherTenantAdmin: "null",
      admin: "data",
    },
  },
  invitations: {
    document: `{ invitations(status: PENDING) { totalCount edges { node { id } } } }`,
    expect: {
      anonymous: "error:UNAUTHENTICATED",
      member: "error:PERMISSION_DENIED",
      otherTenantAdmin: "data",
      admin: "data",
    },
  },
  auditEvents: {
    document: `{ auditEvents { totalCount } }`,
    expect: {
      anonymous: "error:UNAUTHENTICATED",
      member: "error:PERMISSION_DENIED",
      otherTenantAdmin: "data",
      admin: "data",
    },
  },
  viewer: {
    document: `{ viewer { id } }`,
    expect: { anonymous: "null", member: "data", otherTenantAdmin: "data", admin: "data" },
  },
  webhookEndpoints: {
    document: `{ webhookEndpoints { id url } }`,
    expect: {
      anonymous: "error:UNAUTHENTICATED",
      member: "error:PERMISSION_DENIED",
      otherTenantAdmin: "data",
      admin: "data",
    },
  },
  webhookDeliveries: {
    // The fixture has no endpoint: null for every caller who may ask.
    document: `{ webhookDeliveries(endpointId: "1") { totalCount } }`,
    expect: {
      anonymous: "error:UNAUTHENTICATED",
      member: "error:PERMISSION_DENIED",
      otherTenantAdmin: "null",
      admin: "null",
    },
  },
  createWebhookEndpoint: {
    document: `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hook", events: ["invitation.accepted"] }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      // In the caller's own tenant: nothing of Acme's is touched.
      otherTenantAdmin: "CreateWebhookEndpointSuccess",
      admin: "CreateWebhookEndpointSuccess",
    },
  },
  updateWebhookEndpoint: {
    document: `mutation { updateWebhookEndpoint(input: { endpointId: "1", enabled: false }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      otherTenantAdmin: "WebhookEndpointNotFound",
      admin: "WebhookEndpointNotFound",
    },
  },
  deleteWebhookEndpoint: {
    document: `mutation { deleteWebhookEndpoint(input: { endpointId: "1" }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      otherTenantAdmin: "WebhookEndpointNotFound",
      admin: "WebhookEndpointNotFound",
    },
  },
  rotateWebhookSecret: {
    document: `mutation { rotateWebhookSecret(input: { endpointId: "1" }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      otherTenantAdmin: "WebhookEndpointNotFound",
      admin: "WebhookEndpointNotFound",
    },
  },
  redeliverWebhook: {
    document: `mutation { redeliverWebhook(input: { deliveryId: "1" }) { __typename } }`,
    expect: {
      anonymous: "Unauthenticated",
      member: "PermissionDenied",
      otherTenantAdmin: "WebhookDeliveryNotFound",
      admin: "WebhookDeliveryNotFound",
    },
  },
};

const rootFields = () => {
  const schema = buildGraphQLSchema();
  return [schema.getQueryType(), schema.getMutationType()].flatMap((root) =>
    Object.keys(root?.getFields() ?? {}),
  );
};

const t = useResolverHarness();

it("covers every query and mutation of the served schema", () => {
  expect(rootFields().filter((field) => !(field in MATRIX))).toEqual([]);
});

describe.each(Object.keys(MATRIX))("%s", (field) => {
  it.each(Object.keys(KEY_OF) as Caller[])("as %s", async (caller) => {
    const { document, expect: expected } = MATRIX[field]!;
    const result = await t.run(document, {}, KEY_OF[caller]);
    const value = result.data?.[field] as { __typename?: string } | null | undefined;
    const outcome = result.errors?.length
      ? `error:${String(result.errors[0]!.extensions?.code)}`
      : value === null
        ? "null"
        : (value?.__typename ?? "data");
    expect(outcome).toBe(expected[caller]);
  });
});

it("shows another tenant's admin none of Acme's invitations", async () => {
  const result = await t.run(`{ invitations { edges { node { id } } } }`, {}, KEYS.globexAdmin);
  expect(result.data).toEqual({ invitations: { edges: [{ node: { id: "9100" } }] } });
});
