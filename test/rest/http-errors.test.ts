import { beforeAll, describe, expect, it } from "vitest";
import { ACME, KEYS, rows } from "../support/harness.js";
import { useValidatedServer } from "./validated-server.js";

/** One request per REST operation, on a target each can resend; `documented` names it in /openapi.json. */
const OPERATIONS = [
  {
    method: "POST",
    path: "/api/v1/users/8/resend_invitation",
    documented: "/api/v1/users/{id}/resend_invitation",
  },
  {
    method: "POST",
    path: "/v1/users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0008/resend-invite",
    documented: "/v1/users/{id}/resend-invite",
  },
  {
    method: "PUT",
    path: "/tenant/1024/admin/user/invitation/resend?id=9001",
    documented: "/tenant/{tenantId}/admin/user/invitation/resend",
  },
  {
    method: "POST",
    path: "/public/v1/accounts/account-users/0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c0008/send-new-invite",
    documented: "/public/v1/accounts/account-users/{id}/send-new-invite",
  },
] as const;

const ADMIN = { "x-api-key": KEYS.acmeAdmin, "x-tenant-id": ACME.uuid };
const TOO_LARGE = JSON.stringify({ padding: "x".repeat(200 * 1024) });

const t = useValidatedServer({ pastCooldown: false });

async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const response = await fetch(`${t.server.url}${path}`, { method, headers, body });
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

describe("unknown routes and methods", () => {
  it.each(["/nope", "/api/v1/users/2", "/v1/users/2/resend-invite/extra"])(
    "GET %s is a JSON 404",
    async (path) => {
      const answer = await send("GET", path);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ error: { code: "not_found", message: expect.stringContaining(path) } });
    },
  );

  it.each([
    ["GET", OPERATIONS[0].path, "POST"],
    ["DELETE", OPERATIONS[1].path, "POST"],
    ["POST", OPERATIONS[2].path, "PUT"],
    ["PUT", OPERATIONS[3].path, "POST"],
    ["PUT", "/graphql", "GET, HEAD, POST, OPTIONS"],
    ["POST", "/openapi.json", "GET, HEAD"],
    ["POST", "/healthz", "GET, HEAD"],
  ])("%s %s is a JSON 405 with Allow: %s", async (method, path, allow) => {
    const answer = await send(method, path, ADMIN);
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe(allow);
    expect(answer.body).toEqual({ error: { code: "method_not_allowed", message: expect.any(String) } });
  });

  it("leaves GraphQL's own methods to Apollo", async () => {
    const post = await send(
      "POST",
      "/graphql",
      { "content-type": "application/json" },
      '{"query":"{ __typename }"}',
    );
    expect(post).toMatchObject({ status: 200, body: { data: { __typename: "Query" } } });
    const get = await fetch(`${t.server.url}/graphql?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { "apollo-require-preflight": "true", accept: "application/json" },
    });
    expect(get.status).toBe(200);
    const options = await fetch(`${t.server.url}/graphql`, { method: "OPTIONS" });
    expect([404, 405]).not.toContain(options.status);
  });
});

describe("request bodies", () => {
  it.each(OPERATIONS)(
    "$method $documented: a body over the limit is 413 in the document's shape",
    async (op) => {
      const answer = await send(
        op.method,
        op.path,
        { ...ADMIN, "content-type": "application/json" },
        TOO_LARGE,
      );
      expect(answer.status).toBe(413);
      t.checkBody(op.method.toLowerCase(), op.documented, 413, answer.body);
      expect(JSON.stringify(answer.body)).toMatch(/payload_too_large|PayloadTooLarge/);
    },
  );

  it.each(OPERATIONS)("$method $documented: a non-JSON body is 415 in the document's shape", async (op) => {
    const answer = await send(
      op.method,
      op.path,
      { ...ADMIN, "content-type": "application/xml" },
      "<resend/>",
    );
    expect(answer.status).toBe(415);
    t.checkBody(op.method.toLowerCase(), op.documented, 415, answer.body);
    // The document refuses it too: its only request body is JSON.
    const request = {
      method: op.method,
      path: op.path,
      headers: { ...ADMIN, "content-type": "application/xml" },
    };
    expect(t.requestProblems(op.documented, { ...request, body: "<resend/>" })).toEqual([
      'a request body of type "application/xml" is not described',
    ]);
    expect(JSON.stringify(answer.body)).toMatch(/unsupported_media_type|UnsupportedMediaType/);
  });

  it("answers GraphQL's 413 and 415 as GraphQL errors", async () => {
    const tooLarge = await send("POST", "/graphql", { "content-type": "application/json" }, TOO_LARGE);
    expect(tooLarge).toMatchObject({
      status: 413,
      body: { errors: [{ extensions: { code: "PAYLOAD_TOO_LARGE" } }] },
    });
    const unsupported = await send("POST", "/graphql", { "content-type": "application/xml" }, "<q/>");
    expect(unsupported).toMatchObject({
      status: 415,
      body: { errors: [{ extensions: { code: "UNSUPPORTED_MEDIA_TYPE" } }] },
    });
  });

  it("accepts an empty body of any type, and ignores a JSON one (the operations take none)", async () => {
    const bodies: [Record<string, string>, string | undefined][] = [
      [{ "content-type": "application/json" }, ""],
      [{ "content-type": "application/x-www-form-urlencoded" }, ""],
      [{ "content-type": "application/json" }, '{"ignored": true}'],
    ];
    for (const [headers, body] of bodies) {
      t.server.advance(60_000);
      const request = { method: "POST", path: OPERATIONS[0].path, headers: { ...ADMIN, ...headers }, body };
      // The document allows each as well, so a gateway validating against it lets them through.
      expect(t.requestProblems(OPERATIONS[0].documented, request)).toEqual([]);
      const answer = await send(request.method, request.path, request.headers, body);
      expect(answer.status).toBe(200);
    }
  });
});

describe("unexpected failures", () => {
  const broken = useValidatedServer({ pastCooldown: false });
  beforeAll(async () => {
    // A schema the code does not expect: every authenticated request now fails inside the database.
    await rows(broken.server.server.database, "DROP TABLE api_keys");
  });

  it.each(OPERATIONS)(
    "$method $documented: 500 in the document's shape, without SQL or stack",
    async (op) => {
      const response = await fetch(`${broken.server.url}${op.path}`, { method: op.method, headers: ADMIN });
      const text = await response.text();
      expect(response.status).toBe(500);
      broken.checkBody(op.method.toLowerCase(), op.documented, 500, JSON.parse(text));
      expect(text).not.toMatch(/api_keys|no such table|sqlite|SELECT|\bat \S+:\d+/i);
      expect(text).toMatch(/internal_server_error|InternalServerError/);
    },
  );
});
