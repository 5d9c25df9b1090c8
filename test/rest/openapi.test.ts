import { Ajv2020 } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { fetchOpenApiDocument, type OpenApiDocument } from "./openapi-validator.js";

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
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    formatsPlugin.default(ajv);
    ajv.addFormat("int64", { type: "number", validate: Number.isSafeInteger });
    for (const [method, path] of OPERATIONS) {
      const operation = document.paths[path]![method]!;
      for (const { schema } of operation.parameters) expect(() => ajv.compile(schema)).not.toThrow();
      for (const response of Object.values(operation.responses)) {
        expect(() => ajv.compile(response.content["application/json"].schema)).not.toThrow();
      }
    }
  });
});
