import { describe, expect, it } from "vitest";
import { credentialsFromHeaders } from "../../src/http/credentials.js";

describe("credentialsFromHeaders", () => {
  it.each([
    { headers: { authorization: "Bearer k1" }, apiKey: "k1" },
    { headers: { authorization: "bearer \tk1 " }, apiKey: "k1" },
    { headers: { "x-api-key": " k1 " }, apiKey: "k1" },
    { headers: { authorization: "Bearer k1", "x-api-key": "k1" }, apiKey: "k1" },
    { headers: { authorization: "Bearer k1", "x-api-key": "k2" }, apiKey: null },
    { headers: { authorization: "Basic k1" }, apiKey: null },
    { headers: { authorization: "Bearer k1 k2" }, apiKey: null },
    { headers: { "x-api-key": ["k1", "k1"] }, apiKey: null },
    { headers: {}, apiKey: null },
  ])("reads the key from $headers as $apiKey", ({ headers, apiKey }) => {
    expect(credentialsFromHeaders(headers).apiKey).toBe(apiKey);
  });

  it("claims X-Tenant-ID's tenant when sent, and no tenant when absent", () => {
    expect(credentialsFromHeaders({ "x-tenant-id": "1024" }).tenantClaims).toEqual(["1024"]);
    expect(credentialsFromHeaders({}).tenantClaims).toEqual([]);
  });

  it("turns a repeated X-Tenant-ID into a claim no tenant matches, never into no claim", () => {
    expect(credentialsFromHeaders({ "x-tenant-id": ["1024", "1024"] }).tenantClaims).toEqual([""]);
  });
});
