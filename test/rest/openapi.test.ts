import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { startTestServer, type TestServer } from "../support/server.js";
import {
  fetchOpenApiDocument,
  openApiAjv,
  requestValidator,
  resolveRefs,
  type OpenApiDocument,
} from "./openapi-validator.js";

let s: TestServer;
let document: OpenApiDocument;
beforeAll(async () => {
  s = await startTestServer();
  document = await fetchOpenApiDocument(s.url);
});
afterAll(() => s.close());

const OPERATIONS = [
  ["post", "/api/v1/users/{id}/resend_invitation"],
  ["post", "/v1/users/{id}/resend-invite"],
  ["put", "/tenant/{tenantId}/admin/user/invitation/resend"],
  ["put", "/api/tenant/{tenantId}/invitations/resend"],
  ["post", "/public/v1/accounts/account-users/{id}/send-new-invite"],
] as const;
const STATUSES = ["200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500"];

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document of the four paths and the alias, each with its operation", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual(OPERATIONS.map(([, path]) => path).sort());
    for (const [method, path] of OPERATIONS) expect(Object.keys(document.paths[path]!)).toEqual([method]);
    const operationIds = OPERATIONS.map(([method, path]) => document.paths[path]![method]!.operationId);
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(operationIds).toContain("resendUserInvitation");
  });

  it("declares both credential headers, either of which authenticates", () => {
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: "http", scheme: "bearer" }),
      apiKeyHeader: expect.objectContaining({ type: "apiKey", in: "header", name: "X-Api-Key" }),
    });
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
  });

  it("describes each document's parameters: name, place, whether required, and type or format", () => {
    const summary = (method: string, path: string) =>
      document.paths[path]![method]!.parameters.map(({ name, in: location, required, schema }) => {
        const { type, format } = schema as { type: string; format?: string };
        return `${location} ${name}${required ? "" : "?"}: ${format ?? type}`;
      });
    const tenantHeader = "header X-Tenant-ID?: string";
    const idempotencyKey = "header Idempotency-Key?: string";
    expect(summary("post", "/api/v1/users/{id}/resend_invitation")).toEqual([
      "path id: int64",
      tenantHeader,
      idempotencyKey,
    ]);
    expect(summary("post", "/v1/users/{id}/resend-invite")).toEqual([
      "path id: uuid",
      "header X-Tenant-ID: uuid",
      idempotencyKey,
    ]);
    for (const path of [
      "/tenant/{tenantId}/admin/user/invitation/resend",
      "/api/tenant/{tenantId}/invitations/resend",
    ]) {
      expect(summary("put", path)).toEqual([
        "path tenantId: int64",
        "query id: int64",
        tenantHeader,
        idempotencyKey,
      ]);
    }
    expect(summary("post", "/public/v1/accounts/account-users/{id}/send-new-invite")).toEqual([
      "path id: uuid",
      tenantHeader,
      idempotencyKey,
    ]);
  });

  it("gives every response a JSON schema, and every 429 its Retry-After header", () => {
    for (const [method, path] of OPERATIONS) {
      const { responses } = document.paths[path]![method]!;
      expect(Object.keys(responses)).toEqual(STATUSES);
      for (const response of Object.values(responses)) {
        expect(response.description).not.toBe("");
        expect(response.content["application/json"].schema).toBeTypeOf("object");
      }
      expect(responses["429"]!.headers).toHaveProperty("Retry-After");
    }
  });

  it("holds only schemas that compile as JSON Schema 2020-12 (the OpenAPI 3.1 dialect)", () => {
    const ajv = openApiAjv({ strict: true });
    for (const [method, path] of OPERATIONS) {
      const operation = document.paths[path]![method]!;
      for (const { schema } of operation.parameters) expect(() => ajv.compile(schema)).not.toThrow();
      for (const response of Object.values(operation.responses)) {
        const schema = resolveRefs(document, response.content["application/json"].schema) as object;
        expect(() => ajv.compile(schema)).not.toThrow();
      }
    }
  });

  it("names its server and the project's license", () => {
    const { license } = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
      license: string;
    };
    expect(document.info.license).toEqual({ name: license, identifier: license });
    expect(document.servers).toEqual([expect.objectContaining({ url: "https://invites.example.test" })]);
  });

  it("follows one operationId scheme: lowerCamelCase, a verb, then what the path names", () => {
    const operationIds = OPERATIONS.map(([method, path]) => document.paths[path]![method]!.operationId);
    expect(operationIds).toEqual([
      "resendUserInvitation",
      "resendUserInvite",
      "resendTenantInvitation",
      "resendTenantInvitationAtExamplePath",
      "sendAccountUserNewInvite",
    ]);
  });

  it("declares each operation's optional JSON request body, which seed 000's example sends", () => {
    for (const [method, path] of OPERATIONS) {
      const { requestBody } = document.paths[path]![method]!;
      expect(requestBody?.required).toBe(false);
      expect(Object.keys(requestBody!.content)).toEqual(["application/json"]);
    }
    const seed000 = document.paths["/api/v1/users/{id}/resend_invitation"]!.post!;
    expect(seed000.requestBody!.content["application/json"]!.example).toEqual({});
    // The seed's curl, as a request validator such as Prism's sees it.
    const problems = requestValidator(document)("/api/v1/users/{id}/resend_invitation", {
      method: "POST",
      path: "/api/v1/users/1/resend_invitation",
      headers: { "X-Api-Key": "KEY", Accept: "application/json", "Content-Type": "application/json" },
      body: "{}",
    });
    expect(problems).toEqual([]);
  });

  it("lists each document's error body once, in components, and refers to it everywhere", () => {
    const errorBodies: Record<string, string> = {
      "/api/v1/users/{id}/resend_invitation": "Error",
      "/v1/users/{id}/resend-invite": "CodedError",
      "/tenant/{tenantId}/admin/user/invitation/resend": "ResultFailure",
      "/api/tenant/{tenantId}/invitations/resend": "ResultFailure",
      "/public/v1/accounts/account-users/{id}/send-new-invite": "CodedError",
    };
    for (const [method, path] of OPERATIONS) {
      for (const [status, response] of Object.entries(document.paths[path]![method]!.responses)) {
        const { schema } = response.content["application/json"];
        if (status === "200")
          expect(schema).toEqual({ $ref: expect.stringMatching(/^#\/components\/schemas\//) });
        else expect(schema).toEqual({ $ref: `#/components/schemas/${errorBodies[path]}` });
      }
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Error", "CodedError", "ResultFailure"]),
    );
    // No copy of an error body is left inline anywhere in the paths.
    expect(JSON.stringify(document.paths)).not.toContain('"required":["code","message"]');
  });

  it("gives examples, from the seed documents, that its own schemas accept", () => {
    const ajv = openApiAjv({ strict: false });
    let examples = 0;
    for (const [method, path] of OPERATIONS) {
      const operation = document.paths[path]![method]!;
      for (const parameter of operation.parameters) {
        if (parameter.example === undefined) continue;
        examples++;
        expect(ajv.validate(parameter.schema, parameter.example), `${path} ${parameter.name}`).toBe(true);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        const { schema, example } = response.content["application/json"];
        if (example === undefined) continue;
        examples++;
        const valid = ajv.validate(resolveRefs(document, schema) as object, example);
        expect(valid, `${path} ${status}: ${ajv.errorsText()}`).toBe(true);
      }
      expect(operation.responses["200"]!.content["application/json"].example).toBeDefined();
    }
    expect(examples).toBeGreaterThan(15);
    const resend = document.paths["/tenant/{tenantId}/admin/user/invitation/resend"]!.put!;
    expect(resend.parameters.map((p) => p.example)).toEqual([1024, 9001, undefined, undefined]);
    expect(resend.responses["400"]!.content["application/json"].example).toMatchObject({
      error: { code: "ValidationError", message: "The request parameters failed validation." },
    });
  });
});
