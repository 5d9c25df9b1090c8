import type autocannon from "autocannon";
import { BENCH_API_KEY, BENCH_TENANT_ID } from "./seed.js";

export type TargetName = "floor" | "graphql" | "rest";

/**
 * One thing under load: where it listens (one URL per instance, loaded round-robin), how to ask it to resend
 * invitation `id`, and what success looks like.
 */
export interface Target {
  readonly name: TargetName;
  readonly label: string;
  readonly urls: readonly string[];
  readonly ids: InvitationIds;
  request(id: number): autocannon.Request;
  /** A 2xx alone is not enough: the body must say the resend happened. */
  isSuccess(status: number, body: string): boolean;
}

/**
 * Hands out invitation ids 1..n in a scattered order (a stride coprime with n), so consecutive requests touch
 * unrelated rows and pages, and no id repeats before all n were used. Targets sharing a database share one.
 */
export class InvitationIds {
  private static readonly STRIDE = 1_000_003; // prime, larger than any n we seed
  private next_ = 0;

  constructor(private readonly n: number) {
    if (n % InvitationIds.STRIDE === 0) throw new Error("n must not be a multiple of the stride");
  }

  next(): number {
    const i = this.next_++ % this.n;
    return ((i * InvitationIds.STRIDE) % this.n) + 1;
  }
}

const BEARER = { authorization: `Bearer ${BENCH_API_KEY}` };

const RESEND_MUTATION = `mutation Resend($id: ID!) {
  resendInvitation(input: { invitationId: $id }) {
    __typename
    ... on ResendInvitationSuccess { sentTo invitation { id status expiresAt sendCount } }
    ... on UserError { code message }
  }
}`;

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

export function floorTarget(urls: readonly string[], ids: InvitationIds, label: string): Target {
  return {
    name: "floor",
    label,
    urls,
    ids,
    request: (id) => ({ method: "PUT", path: `/resend?id=${id}`, headers: { ...BEARER } }),
    isSuccess: (status, body) =>
      status === 200 && typeof (parse(body) as { sentTo?: unknown })?.sentTo === "string",
  };
}

export function graphqlTarget(urls: readonly string[], ids: InvitationIds): Target {
  return {
    name: "graphql",
    label: "GraphQL resendInvitation",
    urls,
    ids,
    request: (id) => ({
      method: "POST",
      path: "/graphql",
      headers: { ...BEARER, "content-type": "application/json" },
      body: JSON.stringify({ query: RESEND_MUTATION, variables: { id: String(id) } }),
    }),
    isSuccess: (status, body) => {
      const result = parse(body) as { data?: { resendInvitation?: { __typename?: string } } } | null;
      return status === 200 && result?.data?.resendInvitation?.__typename === "ResendInvitationSuccess";
    },
  };
}

export function restTarget(urls: readonly string[], ids: InvitationIds): Target {
  return {
    name: "rest",
    label: "REST 002 PUT /tenant/{tenantId}/admin/user/invitation/resend",
    urls,
    ids,
    request: (id) => ({
      method: "PUT",
      path: `/tenant/${BENCH_TENANT_ID}/admin/user/invitation/resend?id=${id}`,
      headers: { ...BEARER },
    }),
    isSuccess: (status, body) =>
      status === 200 && (parse(body) as { isSuccess?: unknown })?.isSuccess === true,
  };
}
