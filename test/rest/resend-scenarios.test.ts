import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COOLDOWN_SECONDS, T0 } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { CHANNELS, exchange, type Exchange } from "./channels.js";
import { fetchOpenApiDocument, requestValidator, responseValidator } from "./openapi-validator.js";
import { SCENARIOS, type Outcome, type Scenario } from "./scenarios.js";

// Where each outcome of the service is exercised. Adding an outcome breaks this line until it is placed.
const COVERAGE: Record<Outcome, "table" | string> = {
  ResendInvitationSuccess: "table",
  Unauthenticated: "table",
  TenantMismatch: "table",
  PermissionDenied: "table",
  InvalidInput: "table",
  InvitationNotFound: "table",
  UserNotFound: "table",
  UserHasNoEmail: "table",
  ServiceAccountNotInvitable: "table",
  UserAlreadyVerified: "table",
  InvitationNotPending: "table",
  ResendRateLimited: "table",
  IdempotencyKeyReused: "table",
  IdempotencyKeyInUse: "only while the key's first request still runs: not reproducible over HTTP",
};

it("the scenario table reaches every outcome of the service that HTTP can reach", () => {
  const reached = new Set(SCENARIOS.flatMap((s) => [s.expect, ...Object.values(s.except ?? {})]));
  const placed = Object.keys(COVERAGE).filter((outcome) => COVERAGE[outcome as Outcome] === "table");
  expect([...reached].sort()).toEqual(placed.sort());
});

describe.each(CHANNELS)("resend through $name", (channel) => {
  const scenarios = SCENARIOS.filter((scenario) => channel.request(scenario) !== null);
  let server: TestServer;
  let checkBody: ReturnType<typeof responseValidator>;
  let requestProblems: ReturnType<typeof requestValidator>;
  let now = T0;
  const bodies = new Map<string, unknown>();

  beforeAll(async () => {
    server = await startTestServer();
    const document = await fetchOpenApiDocument(server.url);
    checkBody = responseValidator(document);
    requestProblems = requestValidator(document);
  });
  afterAll(() => server.close());
  // Each scenario starts clear of the previous one's cooldown.
  beforeEach(() => {
    server.advance(COOLDOWN_SECONDS * 1000);
    now += COOLDOWN_SECONDS * 1000;
  });

  it.each(scenarios)("$name", async (scenario) => {
    const request = channel.request(scenario)!;
    const context = { url: server.url, now, lastToken: () => server.tokens.at(-1) };
    const check = (answer: Exchange, outcome: Outcome, target = scenario.target) => {
      if (outcome === "ResendInvitationSuccess") {
        if (!("user" in target)) throw new Error("success scenarios name their user");
        channel.expectSuccess(answer, target.user, context);
      } else {
        channel.expectRefusal(answer, outcome);
      }
      if (channel.documented) {
        checkBody(channel.documented.method, channel.documented.path, answer.status, answer.body);
      }
      if (answer.status === 429) expect(answer.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
      if (answer.status === 401)
        expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="invitations"');
    };

    if (channel.documented) {
      // The document and the server agree on which requests are well-formed: a request of a well-formed
      // target with a credential must pass a gateway validating against the document, and every request
      // the server finds malformed the document refuses as well.
      const problems = requestProblems(channel.documented.path, request);
      const expected = scenario.except?.[channel.name] ?? scenario.expect;
      if (expected === "InvalidInput") expect(problems).not.toEqual([]);
      else if (!malformedOnPurpose(scenario) && scenario.key !== null) expect(problems).toEqual([]);
      if (scenario.key === null) {
        expect(problems).toContain("no credential the document's security requirements accept");
      }
    }
    if (scenario.resendFirst) check(await exchange(server.url, request), "ResendInvitationSuccess");
    if (scenario.keyFirstUsedFor) {
      const target = scenario.keyFirstUsedFor;
      check(
        await exchange(server.url, channel.request({ ...scenario, target })!),
        "ResendInvitationSuccess",
        target,
      );
    }
    const answer = await exchange(server.url, request);
    check(answer, scenario.except?.[channel.name] ?? scenario.expect);
    if (scenario.sameBodyAs) expect(answer.body).toEqual(bodies.get(scenario.sameBodyAs));
    bodies.set(scenario.name, answer.body);
  });
});

/**
 * Whether the scenario sends ids of the wrong form on purpose, to show that an earlier check (credential,
 * tenant, permission) answers first: the document refuses such requests whatever the server answers.
 */
function malformedOnPurpose(scenario: Scenario): boolean {
  const { pathTenant } = scenario;
  return "raw" in scenario.target || (pathTenant !== undefined && !/^[1-9][0-9]*$/.test(pathTenant));
}
