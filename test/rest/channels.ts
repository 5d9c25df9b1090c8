import { expect } from "vitest";
import type { ResendInvitationInput } from "../../src/invitations/results.js";
import { ACME, KEYS, TTL_HOURS } from "../support/harness.js";
import { RESEND_MUTATION } from "../support/graphql-client.js";
import { ADA, type ChannelName, type Outcome, type Scenario, type UserRef } from "./scenarios.js";

type RefusalKind = Exclude<Outcome, "ResendInvitationSuccess">;

/**
 * What each document answers for each refusal, restated from the contract (§4, §6) rather than imported,
 * so a change in the code cannot silently change what the tests expect.
 */
const REFUSALS: Record<RefusalKind, { status: number; snake: string; pascal: string; graphql: string }> = {
  Unauthenticated: { status: 401, snake: "unauthorized", pascal: "Unauthorized", graphql: "UNAUTHENTICATED" },
  TenantMismatch: {
    status: 403,
    snake: "tenant_mismatch",
    pascal: "TenantMismatch",
    graphql: "TENANT_MISMATCH",
  },
  PermissionDenied: { status: 403, snake: "forbidden", pascal: "Forbidden", graphql: "PERMISSION_DENIED" },
  InvalidInput: {
    status: 400,
    snake: "invalid_request",
    pascal: "ValidationError",
    graphql: "INVALID_INPUT",
  },
  UserNotFound: { status: 404, snake: "not_found", pascal: "NotFound", graphql: "USER_NOT_FOUND" },
  InvitationNotFound: {
    status: 404,
    snake: "not_found",
    pascal: "NotFound",
    graphql: "INVITATION_NOT_FOUND",
  },
  UserHasNoEmail: {
    status: 422,
    snake: "missing_email",
    pascal: "MissingEmail",
    graphql: "USER_HAS_NO_EMAIL",
  },
  ServiceAccountNotInvitable: {
    status: 422,
    snake: "service_account",
    pascal: "ServiceAccount",
    graphql: "SERVICE_ACCOUNT_NOT_INVITABLE",
  },
  UserAlreadyVerified: {
    status: 409,
    snake: "already_verified",
    pascal: "AlreadyVerified",
    graphql: "USER_ALREADY_VERIFIED",
  },
  // 002 fixes 400 for this one; the user paths never meet it (they resend the latest pending invitation).
  InvitationNotPending: {
    status: 409,
    snake: "invitation_not_pending",
    pascal: "InvitationNotPending",
    graphql: "INVITATION_NOT_PENDING",
  },
  ResendRateLimited: { status: 429, snake: "rate_limited", pascal: "RateLimited", graphql: "RATE_LIMITED" },
  // Not fixed by the contract; the statuses of the IETF Idempotency-Key draft.
  IdempotencyKeyReused: {
    status: 422,
    snake: "idempotency_key_reused",
    pascal: "IdempotencyKeyReused",
    graphql: "IDEMPOTENCY_KEY_REUSED",
  },
  IdempotencyKeyInUse: {
    status: 409,
    snake: "idempotency_key_in_use",
    pascal: "IdempotencyKeyInUse",
    graphql: "IDEMPOTENCY_KEY_IN_USE",
  },
};

const COOLDOWN = 60;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const iso = (ms: number) => new Date(ms).toISOString();
const expiresAfterSendAt = (now: number) => iso(now + TTL_HOURS * 3_600_000);

export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** What a channel needs to know about the server it talks to. */
export interface ChannelContext {
  readonly url: string;
  /** The server's clock. */
  readonly now: number;
  /** The accept token of the latest send. */
  readonly lastToken: () => string | undefined;
}

export interface ChannelRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface Channel {
  readonly name: ChannelName;
  /** Method and OpenAPI path of the REST operation, whose responses are checked against the document. */
  readonly documented: { readonly method: "post" | "put"; readonly path: string } | null;
  /** Null when the scenario's target cannot be expressed on this channel. */
  request(scenario: Scenario): ChannelRequest | null;
  expectSuccess(exchange: Exchange, user: UserRef, context: ChannelContext): void;
  expectRefusal(exchange: Exchange, kind: RefusalKind): void;
}

/** The credential header, and the Idempotency-Key where the scenario has one. */
function credentialHeaders(scenario: Scenario): Record<string, string> {
  const key = scenario.key === undefined ? KEYS.acmeAdmin : scenario.key;
  return {
    ...(key !== null &&
      (scenario.via === "bearer" ? { authorization: `Bearer ${key}` } : { "x-api-key": key })),
    ...(scenario.idempotencyKey !== undefined && { "idempotency-key": scenario.idempotencyKey }),
  };
}

function tenantHeader(scenario: Scenario, fallback: string | null): Record<string, string> {
  const value = scenario.tenantHeader === undefined ? fallback : scenario.tenantHeader;
  return value === null ? {} : { "x-tenant-id": value };
}

const userOf = (scenario: Scenario) => ("user" in scenario.target ? scenario.target.user : null);
const rawOf = (scenario: Scenario, channel: Exclude<ChannelName, "graphql">) =>
  "raw" in scenario.target ? scenario.target.raw[channel] : undefined;
const uuidOf = (user: UserRef, scenario: Scenario) =>
  scenario.upperCase ? user.uuid.toUpperCase() : user.uuid;

/** The snake_case error body of 001 and 003. */
function expectCodedError({ status, headers, body }: Exchange, kind: RefusalKind): void {
  expect(status).toBe(REFUSALS[kind].status);
  expect(body).toEqual({
    code: REFUSALS[kind].snake,
    message: expect.any(String),
    ...(kind === "PermissionDenied" && { notices: [expect.stringContaining("admin")] }),
    ...(kind === "ResendRateLimited" && { details: { retryAfterSeconds: COOLDOWN } }),
    ...(kind === "InvalidInput" && {
      details: { fieldErrors: [{ path: expect.any(Array), message: expect.any(String) }] },
    }),
  });
  if (kind === "ResendRateLimited") expect(headers.get("retry-after")).toBe(String(COOLDOWN));
}

const graphql: Channel = {
  name: "graphql",
  documented: null,
  request(scenario) {
    const { target } = scenario;
    let input: ResendInvitationInput | undefined;
    if ("user" in target) {
      input = { userId: scenario.upperCase ? uuidOf(target.user, scenario) : String(target.user.id) };
    } else if ("invitationId" in target) {
      input = { invitationId: String(target.invitationId) };
    } else {
      input = target.raw.graphql;
    }
    if (!input) return null;
    // The Idempotency-Key header's counterpart is the input's idempotencyKey.
    if (scenario.idempotencyKey !== undefined) input = { ...input, idempotencyKey: scenario.idempotencyKey };
    return {
      method: "POST",
      path: "/graphql",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...credentialHeaders(scenario),
        ...tenantHeader(scenario, null),
      },
      body: JSON.stringify({ query: RESEND_MUTATION, variables: { input } }),
    };
  },
  expectSuccess({ status, body }, user, { now }) {
    expect(status).toBe(200);
    expect(body).toMatchObject({
      data: {
        resendInvitation: {
          __typename: "ResendInvitationSuccess",
          sentTo: user.email,
          invitation: {
            status: "PENDING",
            email: user.email,
            expiresAt: expiresAfterSendAt(now),
            lastSentAt: iso(now),
            invitee: { id: String(user.id), uuid: user.uuid },
          },
        },
      },
    });
  },
  expectRefusal({ status, body }, kind) {
    expect(status).toBe(200);
    expect(body).toMatchObject({
      data: {
        resendInvitation: {
          __typename: kind,
          code: REFUSALS[kind].graphql,
          ...(kind === "ResendRateLimited" && { retryAfterSeconds: COOLDOWN }),
          ...(kind === "PermissionDenied" && { notices: [expect.stringContaining("admin")] }),
        },
      },
    });
  },
};

const r000: Channel = {
  name: "r000",
  documented: { method: "post", path: "/api/v1/users/{id}/resend_invitation" },
  request(scenario) {
    const id = userOf(scenario)?.id ?? rawOf(scenario, "r000");
    if (id == null) return null;
    return {
      method: "POST",
      path: `/api/v1/users/${id}/resend_invitation`,
      headers: {
        accept: "application/json",
        ...credentialHeaders(scenario),
        ...tenantHeader(scenario, null),
      },
    };
  },
  expectSuccess({ status, body }, user, { now }) {
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        id: user.id,
        uuid: user.uuid,
        email: user.email,
        name: user.name,
        role: "member",
        kind: "human",
        email_verified: false,
        invitation_status: "pending",
        invitation_expires_at: expiresAfterSendAt(now),
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
      meta: { invitation_sent_to: user.email, inviter_id: ADA.id },
    });
  },
  expectRefusal({ status, headers, body }, kind) {
    expect(status).toBe(REFUSALS[kind].status);
    expect(body).toEqual({ error: { code: REFUSALS[kind].snake, message: expect.any(String) } });
    if (kind === "ResendRateLimited") expect(headers.get("retry-after")).toBe(String(COOLDOWN));
  },
};

const r001: Channel = {
  name: "r001",
  documented: { method: "post", path: "/v1/users/{id}/resend-invite" },
  request(scenario) {
    const user = userOf(scenario);
    const id = user ? uuidOf(user, scenario) : rawOf(scenario, "r001");
    if (id == null) return null;
    return {
      method: "POST",
      path: `/v1/users/${id}/resend-invite`,
      headers: { ...credentialHeaders(scenario), ...tenantHeader(scenario, ACME.uuid) },
    };
  },
  expectSuccess({ status, body }, user) {
    expect(status).toBe(200);
    expect(body).toEqual({ message: `Invite resent to ${user.email}.` });
  },
  expectRefusal: expectCodedError,
};

const r002: Channel = {
  name: "r002",
  documented: { method: "put", path: "/tenant/{tenantId}/admin/user/invitation/resend" },
  request(scenario) {
    const tenant = scenario.pathTenant ?? String(ACME.id);
    let query: string;
    const user = userOf(scenario);
    if (user) {
      if (user.invitationId === undefined) return null;
      query = `?id=${user.invitationId}`;
    } else if ("invitationId" in scenario.target) {
      query = `?id=${scenario.target.invitationId}`;
    } else {
      const raw = rawOf(scenario, "r002");
      if (raw === undefined) return null;
      query = raw === null ? "" : `?id=${encodeURIComponent(raw)}`;
    }
    return {
      method: "PUT",
      path: `/tenant/${tenant}/admin/user/invitation/resend${query}`,
      headers: { ...credentialHeaders(scenario), ...tenantHeader(scenario, null) },
    };
  },
  expectSuccess({ status, body }, user, { now }) {
    expect(status).toBe(200);
    expect(body).toEqual({
      isSuccess: true,
      isFailure: false,
      error: null,
      value: [
        {
          id: user.invitationId,
          uuid: expect.any(String),
          tenantId: ACME.id,
          userId: user.id,
          name: user.name,
          email: user.email,
          status: "Pending",
          sendCount: expect.any(Number),
          inviterId: ADA.id,
          createdAt: expect.stringMatching(ISO),
          lastSentAt: iso(now),
          expiresAt: expiresAfterSendAt(now),
        },
      ],
    });
  },
  expectRefusal({ status, headers, body }, kind) {
    expect(status).toBe(kind === "InvitationNotPending" ? 400 : REFUSALS[kind].status);
    const detailed = ["InvalidInput", "PermissionDenied", "ResendRateLimited", "InvitationNotPending"];
    expect(body).toEqual({
      isSuccess: false,
      isFailure: true,
      error: {
        code: REFUSALS[kind].pascal,
        message: expect.any(String),
        info: detailed.includes(kind) ? [expect.any(String)] : [],
      },
      value: null,
    });
    if (kind === "ResendRateLimited") expect(headers.get("retry-after")).toBe(String(COOLDOWN));
  },
};

const r003: Channel = {
  name: "r003",
  documented: { method: "post", path: "/public/v1/accounts/account-users/{id}/send-new-invite" },
  request(scenario) {
    const user = userOf(scenario);
    const id = user ? uuidOf(user, scenario) : rawOf(scenario, "r003");
    if (id == null) return null;
    return {
      method: "POST",
      path: `/public/v1/accounts/account-users/${id}/send-new-invite`,
      headers: { accept: "*/*", ...credentialHeaders(scenario), ...tenantHeader(scenario, null) },
    };
  },
  expectSuccess({ status, body }, user, { now, lastToken }) {
    expect(status).toBe(200);
    const admin = { id: ADA.uuid, name: ADA.name };
    expect(body).toEqual({
      id: user.uuid,
      audit: {
        created: { at: expect.stringMatching(ISO), by: admin },
        updated: { at: iso(now), by: admin },
        invitationAcceptedAt: null,
        access: { at: null },
        joined: { at: null },
      },
      $meta: { omitted: ["groups", "buyers", "modules"] },
      user: { id: user.uuid, icon: null, name: user.name },
      groups: [],
      buyers: [],
      modules: [],
      account: { id: ACME.uuid, icon: null, type: "buyer", status: "active", name: "Acme Procurement" },
      invitation: {
        url: `https://invites.example.test/invitations/accept?token=${lastToken()}`,
        status: "pending",
      },
      lastLoginAt: null,
    });
  },
  expectRefusal: expectCodedError,
};

export const CHANNELS: readonly Channel[] = [graphql, r000, r001, r002, r003];

/** Sends a channel's request; every answer, GraphQL's included, is JSON. */
export async function exchange(url: string, request: ChannelRequest): Promise<Exchange> {
  const response = await fetch(`${url}${request.path}`, request);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: await response.json() };
}
